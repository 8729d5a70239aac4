/**
 * Streaming record framing: feed a file's bytes in chunks of any size, get back complete records
 * (offset + bytes) cut at recordStarts, with the last, possibly unfinished record carried until the
 * next record start arrives or the stream ends. Memory stays bounded by the largest record plus one
 * chunk. This is the same carry discipline the pipeline uses, packaged for the CLI and for tests.
 */
import type { LogFormat } from "./Format.ts"
import { recordStarts } from "./RecordStarts.ts"
import type { ParseOptions } from "./Types.ts"

export interface FramedRecord {
  /** Byte offset of the record in the stream. */
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

  /** Adds a chunk; returns the records it completed. */
  push(chunk: Uint8Array): FramedRecord[] {
    this.append(chunk)
    const out: FramedRecord[] = []
    const starts = recordStarts(this.format, this.buffer, this.scanFrom, this.length, this.options)
    let recordStart = 0
    for (const start of starts) {
      if (start === 0) continue
      out.push({ offset: this.base + recordStart, bytes: this.buffer.slice(recordStart, start) })
      recordStart = start
    }
    // Every complete line before the last one is decided; the unfinished last line is scanned again.
    const lastNl = this.buffer.lastIndexOf(10, this.length - 1)
    const undecided = lastNl < 0 ? 0 : lastNl + 1
    this.scanFrom = Math.max(undecided, recordStart) - recordStart
    if (starts.length > 0 && starts[starts.length - 1]! === undecided && undecided < this.length) {
      // The unfinished last line was already judged a record start: do not judge it twice.
      this.scanFrom = undecided - recordStart + 1
    }
    if (recordStart > 0) this.shift(recordStart)
    return out
  }

  /** The carried record, if any (call at the end of the stream). */
  flush(): FramedRecord[] {
    if (this.length === 0) return []
    const record = { offset: this.base, bytes: this.buffer.slice(0, this.length) }
    this.base += this.length
    this.length = 0
    this.scanFrom = 0
    return [record]
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
