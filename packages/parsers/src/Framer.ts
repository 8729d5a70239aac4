/**
 * Streaming record framing: feed a file's bytes in chunks of any size, get back blocks of complete
 * records (offset + bytes, cut at recordStarts) for BlockParser, with the last, possibly unfinished
 * record carried until the next record start arrives or the stream ends. A record longer than
 * `maxRecordBytes` is cut there, as the pipeline cuts it, however the stream was chunked: the block
 * that ends with it says so, and its other bytes up to the next record start are left out (counted).
 * What is held stays within about that limit plus one chunk, whatever the input: a file read in the
 * wrong format has no record start at all. This is the same carry discipline the pipeline uses,
 * packaged for the CLI and for tests.
 */
import type { LogFormat } from "./Format.ts"
import { lastRecordStart, recordStarts } from "./RecordStarts.ts"
import type { ParseOptions } from "./Types.ts"

/** Whole records, one after the other: the first begins at `offset` (a byte offset in the stream). */
export interface FramedBlock {
  readonly offset: number
  readonly bytes: Uint8Array
  /** The last record was longer than the framer's limit and holds only its first `maxRecordBytes` bytes. */
  readonly cut: boolean
}

/** The pipeline's default for the largest record (AURORA_LOGS_MAX_RECORD_BYTES). */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024

const NL = 10
/**
 * While bytes are left out, the line before the next one to judge is kept when it is no longer than this: the
 * slow log's rules read the head and tail of the line before (see RecordStarts), which no longer line of a real
 * log starts or ends as they look for.
 */
const CONTEXT_LINE_BYTES = 4096
/**
 * An unfinished last line is judged again when more of it comes (a rule may need more of it: a banner's end, a
 * csvlog row's first comma), so until then the record before it is known to end before it; past this length it is
 * taken for no record start (no rule looks that far into a line), so that what is held stays bounded.
 */
const UNDECIDED_LINE_BYTES = 64 * 1024

export class RecordFramer {
  private readonly format: LogFormat
  private readonly options: ParseOptions | undefined
  private readonly maxRecordBytes: number
  private buffer: Uint8Array = new Uint8Array(64 * 1024)
  private length = 0
  /** Stream offset of buffer[0]; buffer[0] always begins the carried record (unless bytes are being left out). */
  private base = 0
  /** Where in the buffer the next scan begins: the start of the first line not yet decided. */
  private scanFrom = 0
  /**
   * While the rest of a cut record is left out: the buffer position of the first line start not yet judged
   * (bytes before it are only the context of that line), or -1 while the line the cut fell in goes on (see midLine);
   * undefined when nothing is being left out.
   */
  private skipAt: number | undefined
  /** While skipAt is -1: the buffer begins inside that line, whose start was dropped (it was too long to keep). */
  private midLine = false
  /** Stream offset where the bytes being left out begin. */
  private leftOutFrom = 0
  /** Records cut at maxRecordBytes so far. */
  cutRecords = 0
  /** Bytes of cut records left out so far. */
  leftOutBytes = 0

  constructor(format: LogFormat, options?: ParseOptions, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {
    this.format = format
    this.options = options
    this.maxRecordBytes = Math.max(1, maxRecordBytes)
  }

  /** Bytes held: the carried record, or what is kept while the rest of a cut record is left out. */
  get heldBytes(): number {
    return this.length
  }

  /** Adds a chunk; returns the blocks of the records it completed (none, usually one). */
  push(chunk: Uint8Array): Array<FramedBlock> {
    this.append(chunk)
    if (this.skipAt !== undefined && !this.resume()) return []
    // Everything before the last record start is whole records; the record it begins is carried.
    const last = lastRecordStart(this.format, this.buffer, this.scanFrom, this.length, this.options)
    const carried = last > 0 ? last : 0
    // Every complete line before the last one is decided; the unfinished last line is scanned again.
    const undecided = this.newlineBefore(this.length) + 1
    this.scanFrom = Math.max(undecided, carried) - carried
    if (last >= 0 && last === undecided && undecided < this.length) {
      // The unfinished last line was already judged a record start: do not judge it twice.
      this.scanFrom = undecided - carried + 1
    }
    // How far the carried record is known to reach: not into an unfinished last line that may begin the next one.
    const pending = undecided > carried && undecided < this.length && this.length - undecided <= UNDECIDED_LINE_BYTES
    const known = (pending ? undecided : this.length) - carried
    const blocks = carried === 0 ? [] : this.whole(carried)
    if (known > this.maxRecordBytes) blocks.push(this.cut(this.maxRecordBytes))
    return blocks
  }

  /** The rest of the stream (call at its end): the carried record, if any. */
  flush(): Array<FramedBlock> {
    if (this.skipAt !== undefined) {
      // The stream ended while the rest of a cut record was left out: what follows its next record start is whole records.
      const start = this.skipAt < 0 ? -1 : recordStarts(this.format, this.buffer, this.skipAt, this.length, this.options)[0] ?? -1
      this.endSkip(start < 0 ? this.length : start)
    }
    const blocks = this.length === 0 ? [] : this.whole(this.length)
    this.scanFrom = 0
    return blocks
  }

  /**
   * Hands out the whole records before `end`, each one longer than the limit cut there (so that where records are
   * cut does not depend on how the stream was chunked), and drops them from the buffer.
   */
  private whole(end: number): Array<FramedBlock> {
    const blocks: Array<FramedBlock> = []
    let from = 0
    if (end > this.maxRecordBytes) {
      // Only then can one of them be too long: their starts are looked for on this rare path alone.
      const starts = recordStarts(this.format, this.buffer, 0, end, this.options)
      if (starts[0] !== 0) starts.unshift(0)
      for (let i = 0; i < starts.length; i++) {
        const start = starts[i]!
        const next = starts[i + 1] ?? end
        if (next - start <= this.maxRecordBytes) continue
        blocks.push({ offset: this.base + from, bytes: this.buffer.slice(from, start + this.maxRecordBytes), cut: true })
        this.cutRecords++
        this.leftOutBytes += next - start - this.maxRecordBytes
        from = next
      }
    }
    if (from < end) blocks.push({ offset: this.base + from, bytes: this.buffer.slice(from, end), cut: false })
    this.shift(end)
    return blocks
  }

  /** Hands out the carried record's first `end` bytes, the limit, and leaves out the rest of it. */
  private cut(end: number): FramedBlock {
    const block = { offset: this.base, bytes: this.buffer.slice(0, end), cut: true }
    this.cutRecords++
    this.leftOutFrom = this.base + end
    // No record starts in the buffer after the carried one: judging goes on at the first line after the cut (the
    // lines there are judged again, with the line before them).
    const nl = this.newlineFrom(end - 1)
    if (nl < 0) {
      // The cut is in the last line: it is kept, from its start, as the context of the line after it while it is short.
      this.skipAt = -1
      const lineStart = this.newlineBefore(end) + 1
      this.midLine = this.length - lineStart > CONTEXT_LINE_BYTES
      this.shift(this.midLine ? this.length : lineStart)
    } else {
      this.skipAt = nl + 1
      this.keepContext()
    }
    return block
  }

  /** While leaving bytes out: true once a record start ends it (framing goes on from there), false while none came. */
  private resume(): boolean {
    if (this.skipAt! < 0) {
      const nl = this.newlineFrom(0)
      if (nl < 0) {
        if (this.midLine || this.length > CONTEXT_LINE_BYTES) {
          this.shift(this.length)
          this.midLine = true
        }
        return false
      }
      if (this.midLine) {
        // The long line begun before the cut ends here: the next line is judged with no line before it.
        this.shift(nl + 1)
        this.midLine = false
        this.skipAt = 0
      } else this.skipAt = nl + 1
    }
    const start = recordStarts(this.format, this.buffer, this.skipAt!, this.length, this.options)[0]
    if (start !== undefined) {
      this.endSkip(start)
      return true
    }
    // The unfinished last line is judged again when it is complete.
    this.skipAt = Math.max(this.skipAt!, this.newlineBefore(this.length) + 1)
    if (this.length - this.skipAt > UNDECIDED_LINE_BYTES) {
      // Not a line any rule would take for a record start once complete: leave it out too.
      this.shift(this.length)
      this.skipAt = -1
      this.midLine = true
      return false
    }
    this.keepContext()
    return false
  }

  /** Drops what lies before the line before skipAt (or before skipAt itself, when that line is long). */
  private keepContext(): void {
    const at = this.skipAt!
    const lineBefore = this.newlineBefore(at - 1) + 1
    const keepFrom = at - lineBefore <= CONTEXT_LINE_BYTES ? lineBefore : at
    this.shift(keepFrom)
    this.skipAt = at - keepFrom
  }

  /** Leaving out ends before buffer position `start`, which begins a record (or is the end of the stream). */
  private endSkip(start: number): void {
    this.leftOutBytes += this.base + start - this.leftOutFrom
    this.shift(start)
    this.skipAt = undefined
    // The record start at buffer[0] is judged: scanning goes on after its first line.
    this.scanFrom = this.length > 0 ? 1 : 0
  }

  /** The first "\n" at or after `from` among the bytes held, or -1. */
  private newlineFrom(from: number): number {
    const nl = this.buffer.indexOf(NL, from)
    return nl < this.length ? nl : -1
  }

  /** The last "\n" before `end` (which is at most the bytes held), or -1. */
  private newlineBefore(end: number): number {
    return end <= 0 ? -1 : this.buffer.lastIndexOf(NL, end - 1)
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
