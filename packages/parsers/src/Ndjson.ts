/**
 * NDJSON encoding of records straight into a byte buffer: each line is `JSON.stringify(record)`
 * (then, when given, a suffix of fields many records share) and "\n", written as UTF-8 into chunks
 * that reach a sink when full. JSON.stringify's native serializer writes a flat record faster than
 * any field-by-field encoding in JavaScript, and one UTF-8 write per record into a reused buffer
 * leaves nothing else to join or convert.
 */
import { utf8Write } from "./BufferCalls.ts"
import type { ParsedRecord } from "./Types.ts"

/**
 * Receives each filled chunk. It may keep the bytes, unless the encoder was made with `reuse`: then the
 * buffer is written again after the call, so the sink must be done with it when it returns.
 */
export type NdjsonSink = (bytes: Uint8Array) => void

export class NdjsonEncoder {
  private readonly sink: NdjsonSink
  private readonly chunkBytes: number
  private readonly reuse: boolean
  private buffer: Buffer
  private length = 0
  /** Bytes handed to the sink so far. */
  private handed = 0

  /** `reuse`: one buffer for every chunk (a synchronous sink, such as a write to a file descriptor). */
  constructor(sink: NdjsonSink, chunkBytes = 1 << 20, reuse = false) {
    this.sink = sink
    this.chunkBytes = Math.max(1024, chunkBytes)
    this.reuse = reuse
    this.buffer = Buffer.allocUnsafe(this.chunkBytes)
  }

  /**
   * Fields that are the same for many records (the file's name, log type, engine...), encoded once as
   * a `suffix` for write. With a suffix the line's text is that of JSON.stringify({ ...record, ...fields })
   * when none of the fields is in the record.
   */
  static suffix(fields: Readonly<Record<string, string | number | boolean>>): Uint8Array {
    const json = JSON.stringify(fields)
    return Buffer.from(json.length > 2 ? "," + json.slice(1, -1) : "", "utf8")
  }

  /**
   * Appends one line: the record as JSON (then `suffix`, see NdjsonEncoder.suffix) and "\n". Chunks
   * reach the sink when full (a line may span two).
   */
  write(record: ParsedRecord, suffix?: Uint8Array): void {
    const json = JSON.stringify(record)
    const extra = suffix === undefined ? 0 : suffix.length
    // UTF-8 takes at most 3 bytes per UTF-16 unit (JSON.stringify leaves no lone surrogate unescaped).
    this.reserve(json.length * 3 + extra + 1)
    const out = this.buffer
    let o = this.length + utf8Write(out, json, this.length)
    if (extra > 0) {
      // The shared fields go before the closing brace, with no comma after an empty record's "{".
      o--
      for (let k = json.length === 2 ? 1 : 0; k < extra; k++) out[o++] = suffix![k]!
      out[o++] = 125 /* } */
    }
    out[o++] = 10
    this.length = o
  }

  /** Bytes written since the encoder was made (flushed or not): where the next byte goes. */
  get position(): number {
    return this.handed + this.length
  }

  /** Appends bytes as they are (text the caller already encoded, such as a line's fixed prefix). */
  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length)
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
  }

  /** Appends `value` as a JSON string, quotes included. */
  jsonString(value: string): void {
    const json = JSON.stringify(value)
    this.reserve(json.length * 3)
    this.length += utf8Write(this.buffer, json, this.length)
  }

  /** Hands the bytes written so far to the sink. */
  flush(): void {
    if (this.length === 0) return
    this.sink(this.buffer.subarray(0, this.length))
    this.handed += this.length
    if (!this.reuse || this.buffer.length > this.chunkBytes) this.buffer = Buffer.allocUnsafe(this.chunkBytes)
    this.length = 0
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    this.flush()
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes)
  }
}
