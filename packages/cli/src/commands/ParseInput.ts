/**
 * What `aurora-logs parse` reads: a file (gunzipped when its name ends in `.gz`) or stdin, as chunks of bytes
 * without the UTF-8 byte order mark Windows tools and editors put at the start of a file (no database server
 * writes one), and enough of its first bytes to tell a UTF-16 file, which the parsers cannot read.
 */
import { createReadStream } from "node:fs"
import { pipeline } from "node:stream"
import { createGunzip } from "node:zlib"

const BOM = [0xef, 0xbb, 0xbf]
/** How many of a file's first bytes are kept to say what it looks like. */
const SAMPLE_BYTES = 256

export function openInput(file: string, stdin: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  if (file === "-") return stdin
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024 })
  if (!file.endsWith(".gz")) return stream
  // pipeline, not pipe: the file's own errors (missing, a directory) reach the gunzip stream read from, instead of
  // going unhandled on a stream nobody listens to.
  return pipeline(stream, createGunzip(), () => {})
}

/** A file's chunks as bytes, a byte order mark at its start left out. */
export class FileChunks implements AsyncIterable<Uint8Array> {
  private readonly input: AsyncIterable<Uint8Array | string>
  /** Bytes of a byte order mark left out at the start: offsets in the file begin after them. Known before the first chunk. */
  skipped = 0
  /** The file's first bytes after the mark. */
  sample: Uint8Array | undefined

  constructor(input: AsyncIterable<Uint8Array | string>) {
    this.input = input
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    // Until it is known whether the file begins with a byte order mark, its first bytes wait here.
    let lead: Uint8Array | undefined = new Uint8Array(0)
    for await (const raw of this.input) {
      let chunk = typeof raw === "string" ? new TextEncoder().encode(raw) : raw
      if (lead !== undefined) {
        chunk = lead.length === 0 ? chunk : concat([lead, chunk])
        if (chunk.length < BOM.length && isBomStart(chunk, chunk.length)) {
          lead = chunk
          continue
        }
        lead = undefined
        if (isBomStart(chunk, BOM.length)) {
          this.skipped = BOM.length
          chunk = chunk.subarray(BOM.length)
        }
      }
      if (chunk.length > 0) yield this.sampled(chunk)
    }
    // The stream ended inside what might have been a byte order mark: those bytes are the file.
    if (lead !== undefined && lead.length > 0) yield this.sampled(lead)
  }

  /** A UTF-16 byte order mark, or the NUL byte every other byte that ASCII text has in UTF-16 (Windows tools write it). */
  looksUtf16(): boolean {
    const head = this.sample
    if (head === undefined) return false
    if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true
    let even = 0
    let odd = 0
    for (let i = 0; i + 1 < head.length; i += 2) {
      if (head[i] === 0) even++
      if (head[i + 1] === 0) odd++
    }
    const pairs = head.length >> 1
    return pairs >= 8 && Math.max(even, odd) * 10 >= pairs * 9 && Math.min(even, odd) * 10 <= pairs
  }

  private sampled(chunk: Uint8Array): Uint8Array {
    this.sample ??= chunk.slice(0, SAMPLE_BYTES)
    return chunk
  }
}

/** The first `count` bytes of `bytes` are those of a UTF-8 byte order mark. */
function isBomStart(bytes: Uint8Array, count: number): boolean {
  for (let i = 0; i < count; i++) if (bytes[i] !== BOM[i]) return false
  return true
}

export function concat(parts: ReadonlyArray<Uint8Array>): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
