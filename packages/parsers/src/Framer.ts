/**
 * Streaming record framing: feed a file's bytes in chunks of any size, get back blocks of complete
 * records (offset + bytes, cut at recordStarts) for BlockParser, with the last, possibly unfinished
 * record carried until the next record start arrives or the stream ends. Memory stays bounded by the
 * largest record plus one chunk. This is the same carry discipline the pipeline uses, packaged for
 * the CLI and for tests.
 */
import type { LogFormat } from "./Format.ts"
import { lastRecordStart, recordStarts } from "./RecordStarts.ts"
import type { ParseOptions } from "./Types.ts"

/** Whole records, one after the other: the first begins at `offset` (a byte offset in the stream). */
export interface FramedBlock {
  readonly offset: number
  readonly bytes: Uint8Array
}

export class RecordFramer {
  private readonly format: LogFormat
  private readonly options: ParseOptions | undefined
  private buffer: Uint8Array = new Uint8Array(64 * 1024)
  private length = 0
  /** Stream offset of buffer[0]; buffer[0] always begins the carried record. */
  private base = 0
  /** Where in the buffer the next scan begins: the start of the first line not yet decided. */
  private scanFrom = 0

  constructor(format: LogFormat, options?: ParseOptions) {
    this.format = format
    this.options = options
  }

  /** Adds a chunk; returns the records it completed as one block, or undefined when it completed none. */
  push(chunk: Uint8Array): FramedBlock | undefined {
    this.append(chunk)
    // Everything before the last record start is whole records; the record it begins is carried.
    const last = lastRecordStart(this.format, this.buffer, this.scanFrom, this.length, this.options)
    const carried = last > 0 ? last : 0
    // Every complete line before the last one is decided; the unfinished last line is scanned again.
    const lastNl = this.buffer.lastIndexOf(10, this.length - 1)
    const undecided = lastNl < 0 ? 0 : lastNl + 1
    this.scanFrom = Math.max(undecided, carried) - carried
    if (last >= 0 && last === undecided && undecided < this.length) {
      // The unfinished last line was already judged a record start: do not judge it twice.
      this.scanFrom = undecided - carried + 1
    }
    if (carried === 0) return undefined
    const block = { offset: this.base, bytes: this.buffer.slice(0, carried) }
    this.shift(carried)
    return block
  }

  /** The carried record, if any (call at the end of the stream). */
  flush(): FramedBlock | undefined {
    if (this.length === 0) return undefined
    const block = { offset: this.base, bytes: this.buffer.slice(0, this.length) }
    this.base += this.length
    this.length = 0
    this.scanFrom = 0
    return block
  }

  private append(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.buffer.length) {
      let capacity = this.buffer.length * 2
      while (capacity < this.length + chunk.length) capacity *= 2
      const grown = new Uint8Array(capacity)
      grown.set(this.buffer.subarray(0, this.length))
      this.buffer = grown
    }
    this.buffer.set(chunk, this.length)
    this.length += chunk.length
  }

  private shift(by: number): void {
    this.buffer.copyWithin(0, by, this.length)
    this.length -= by
    this.base += by
  }
}

/** [offset, end) of every record of a complete file: recordStarts plus the leading bytes as a record. */
export function recordBounds(format: LogFormat, bytes: Uint8Array, options?: ParseOptions): Array<[number, number]> {
  const starts = recordStarts(format, bytes, 0, bytes.length, options)
  if (bytes.length > 0 && starts[0] !== 0) starts.unshift(0)
  const bounds: Array<[number, number]> = []
  for (let i = 0; i < starts.length; i++) bounds.push([starts[i]!, starts[i + 1] ?? bytes.length])
  return bounds
}
