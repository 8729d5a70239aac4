/**
 * NDJSON encoding of flat records straight into bytes. The output is byte for byte what
 * `JSON.stringify(record) + "\n"` encoded as UTF-8 gives (same key order, escapes and number forms),
 * but no intermediate string is built: JSON.stringify of megamorphic records and the UTF-8 encoding
 * of the joined text were a third of the parse benchmark's time.
 */
import type { ParsedRecord } from "./Types.ts"

/**
 * Receives each filled chunk. It may keep the bytes, unless the encoder was made with `reuse`: then the
 * buffer is written again after the call, so the sink must be done with it when it returns.
 */
export type NdjsonSink = (bytes: Uint8Array) => void

/** `"key":` (and `,"key":`) as bytes, per key name: records reuse a few dozen names. */
const keyBytes = new Map<string, Uint8Array>()
const keyBytesOf = (key: string): Uint8Array => {
  let bytes = keyBytes.get(key)
  if (bytes === undefined) {
    bytes = Buffer.from("," + JSON.stringify(key) + ":", "utf8")
    if (keyBytes.size < 4096) keyBytes.set(key, bytes)
  }
  return bytes
}

/** Strings longer than this are checked by a regex and copied natively; shorter ones by a loop. */
const SHORT = 32
/** Any character JSON.stringify would not copy as is (and non-ASCII, which needs UTF-8 encoding). */
const NEEDS_CARE = /["\\\u0000-\u001f\u007f-\uffff]/
/** Any character JSON.stringify escapes: quote, backslash, controls, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/
const HEX = "0123456789abcdef"

export class NdjsonEncoder {
  private readonly sink: NdjsonSink
  private readonly chunkBytes: number
  private readonly reuse: boolean
  private buffer: Buffer
  private length = 0

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
    this.reserve(2)
    this.buffer[this.length++] = 123 /* { */
    let first = true
    for (const key in record) {
      const value = record[key]
      if (value === undefined) continue
      const keyText = keyBytesOf(key)
      if (typeof value === "string") {
        // Worst case 6 output bytes per UTF-16 unit (\u001f); the common case is far less.
        this.reserve(keyText.length + value.length * 6 + 3)
        this.key(keyText, first)
        this.string(value)
      } else if (typeof value === "number") {
        this.reserve(keyText.length + 32)
        this.key(keyText, first)
        this.number(value)
      } else if (typeof value === "boolean") {
        this.reserve(keyText.length + 6)
        this.key(keyText, first)
        this.ascii(value ? "true" : "false")
      } else {
        // Not a field a parser writes (null, objects): JSON.stringify decides.
        const text = JSON.stringify(value)
        if (text === undefined) continue
        this.reserve(keyText.length + text.length * 3)
        this.key(keyText, first)
        this.length += this.buffer.write(text, this.length, "utf8")
      }
      first = false
    }
    if (suffix !== undefined && suffix.length > 0) {
      this.reserve(suffix.length)
      this.key(suffix, first)
    }
    this.reserve(2)
    this.buffer[this.length++] = 125 /* } */
    this.buffer[this.length++] = 10
  }

  /** Hands the bytes written so far to the sink. */
  flush(): void {
    if (this.length === 0) return
    this.sink(this.buffer.subarray(0, this.length))
    if (!this.reuse || this.buffer.length > this.chunkBytes) this.buffer = Buffer.allocUnsafe(this.chunkBytes)
    this.length = 0
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return
    this.flush()
    if (bytes > this.buffer.length) this.buffer = Buffer.allocUnsafe(bytes)
  }

  /** Copies `"key":` bytes (or any `,`-led field text), without the comma when first. */
  private key(keyText: Uint8Array, first: boolean): void {
    const out = this.buffer
    let o = this.length
    for (let k = first ? 1 : 0; k < keyText.length; k++) out[o++] = keyText[k]!
    this.length = o
  }

  private ascii(text: string): void {
    const out = this.buffer
    let o = this.length
    for (let i = 0; i < text.length; i++) out[o++] = text.charCodeAt(i)
    this.length = o
  }

  private number(value: number): void {
    if (Number.isSafeInteger(value)) {
      // -0 is "0", as in JSON.stringify.
      if (value < 0) { this.buffer[this.length++] = 45; this.unsigned(-value) } else this.unsigned(value)
      return
    }
    // Durations and times carry at most 6 decimals: when the value is the double nearest k / 1e6,
    // its shortest form (JSON's) is those digits, as fewer than 16 digits name one double only.
    const micros = Math.round(value * 1e6)
    if (micros / 1e6 === value && micros > -1e15 && micros < 1e15) {
      let k = micros
      if (k < 0) { this.buffer[this.length++] = 45; k = -k }
      const whole = Math.floor(k / 1e6)
      let fraction = k - whole * 1e6
      this.unsigned(whole)
      if (fraction === 0) return
      let digits = 6
      while (fraction % 10 === 0) { fraction /= 10; digits-- }
      const out = this.buffer
      let o = this.length
      out[o++] = 46
      for (let p = o + digits - 1; p >= o; p--) {
        const q = (fraction / 10) | 0
        out[p] = 48 + fraction - q * 10
        fraction = q
      }
      this.length = o + digits
      return
    }
    this.ascii(Number.isFinite(value) ? "" + value : "null")
  }

  /** A safe non-negative integer in decimal. */
  private unsigned(value: number): void {
    if (value >= 1e8) {
      const high = Math.floor(value / 1e8)
      this.unsigned(high)
      this.digits(value - high * 1e8, 8)
      return
    }
    let count = 1
    for (let t = value; t >= 10; t = (t / 10) | 0) count++
    this.digits(value, count)
  }

  /** `value` (< 1e8) in exactly `count` digits, zero-padded. */
  private digits(value: number, count: number): void {
    const out = this.buffer
    const o = this.length
    let v = value
    for (let p = o + count - 1; p >= o; p--) {
      const q = (v / 10) | 0
      out[p] = 48 + v - q * 10
      v = q
    }
    this.length = o + count
  }

  private string(value: string): void {
    const out = this.buffer
    let o = this.length
    out[o++] = 34
    const n = value.length
    if (n <= SHORT) {
      let i = 0
      for (; i < n; i++) {
        const c = value.charCodeAt(i)
        if (c < 32 || c > 126 || c === 34 || c === 92) break
        out[o++] = c
      }
      if (i < n) o = this.careful(value, i, o)
    } else if (!NEEDS_CARE.test(value)) {
      o += out.write(value, o, "latin1")
    } else if (!NEEDS_ESCAPE.test(value)) {
      o += out.write(value, o, "utf8")
    } else {
      // Long text with escapes (multi-line statements): JSON.stringify escapes natively, quotes included.
      this.length = o - 1 + out.write(JSON.stringify(value), o - 1, "utf8")
      return
    }
    out[o++] = 34
    this.length = o
  }

  /** From `i` on, character by character (short strings): JSON.stringify's escapes and UTF-8 encoding. */
  private careful(value: string, i: number, o: number): number {
    const out = this.buffer
    const n = value.length
    for (; i < n; i++) {
      const c = value.charCodeAt(i)
      if (c >= 32 && c < 128) {
        if (c === 34 || c === 92) { out[o++] = 92; out[o++] = c } else out[o++] = c
      } else if (c < 32) {
        out[o++] = 92
        switch (c) {
          case 8: out[o++] = 98; break
          case 9: out[o++] = 116; break
          case 10: out[o++] = 110; break
          case 12: out[o++] = 102; break
          case 13: out[o++] = 114; break
          default:
            out[o++] = 117; out[o++] = 48; out[o++] = 48
            out[o++] = HEX.charCodeAt(c >> 4); out[o++] = HEX.charCodeAt(c & 15)
        }
      } else if (c < 0x800) {
        out[o++] = 0xc0 | (c >> 6)
        out[o++] = 0x80 | (c & 63)
      } else if (c < 0xd800 || c > 0xdfff) {
        out[o++] = 0xe0 | (c >> 12)
        out[o++] = 0x80 | ((c >> 6) & 63)
        out[o++] = 0x80 | (c & 63)
      } else {
        const d = value.charCodeAt(i + 1)
        if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00)
          out[o++] = 0xf0 | (cp >> 18)
          out[o++] = 0x80 | ((cp >> 12) & 63)
          out[o++] = 0x80 | ((cp >> 6) & 63)
          out[o++] = 0x80 | (cp & 63)
          i++
        } else {
          // A lone surrogate: JSON.stringify writes it as \udxxx.
          out[o++] = 92; out[o++] = 117
          out[o++] = HEX.charCodeAt(c >> 12); out[o++] = HEX.charCodeAt((c >> 8) & 15)
          out[o++] = HEX.charCodeAt((c >> 4) & 15); out[o++] = HEX.charCodeAt(c & 15)
        }
      }
    }
    return o
  }
}
