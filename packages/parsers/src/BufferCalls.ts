/**
 * Buffer's own per-encoding methods, called without Buffer#write's and Buffer#toString's argument
 * handling: the hot paths call them once per record or statement, where that handling shows. Each
 * falls back to the public method where a runtime lacks the internal one.
 */
type Internal = {
  utf8Write?(text: string, at: number): number
  ucs2Write?(text: string, at: number): number
  latin1Slice?(start: number, end: number): string
}

const proto = Buffer.prototype as unknown as Internal

/** buffer.write(text, at, "utf8"): the bytes written. */
export const utf8Write: (buffer: Buffer, text: string, at: number) => number = typeof proto.utf8Write === "function"
  ? (buffer, text, at) => (buffer as unknown as Required<Internal>).utf8Write(text, at)
  : (buffer, text, at) => buffer.write(text, at, "utf8")

/** buffer.write(text, at, "utf16le"): the bytes written (UTF-16 little-endian code units). */
export const ucs2Write: (buffer: Buffer, text: string, at: number) => number = typeof proto.ucs2Write === "function"
  ? (buffer, text, at) => (buffer as unknown as Required<Internal>).ucs2Write(text, at)
  : (buffer, text, at) => buffer.write(text, at, "utf16le")

/** buffer.toString("latin1", start, end). */
export const latin1Slice: (buffer: Buffer, start: number, end: number) => string = typeof proto.latin1Slice === "function"
  ? (buffer, start, end) => (buffer as unknown as Required<Internal>).latin1Slice(start, end)
  : (buffer, start, end) => buffer.toString("latin1", start, end)
