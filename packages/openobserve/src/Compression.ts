/**
 * Request-body compression. Runs on libuv's thread pool (the async zlib calls), so compressing one request overlaps
 * with encoding the next one on the main thread.
 */
import * as NodeZlib from "node:zlib"
import { Effect } from "effect"
import type { Compression } from "./OpenObserveSettings.ts"

export interface Compressor {
  /** The `Content-Encoding` header value, or undefined when the body goes as it is. */
  readonly contentEncoding: string | undefined
  readonly compress: (body: Buffer) => Effect.Effect<Buffer>
}

const fromCallback = (run: (done: (error: Error | null, out: Buffer) => void) => void): Effect.Effect<Buffer> =>
  Effect.callback<Buffer>((resume) => {
    run((error, out) => resume(error === null ? Effect.succeed(out) : Effect.die(error)))
  })

export const makeCompressor = (compression: Compression, level: number): Compressor => {
  switch (compression) {
    case "none":
      return { contentEncoding: undefined, compress: Effect.succeed }
    case "gzip": {
      const options = { level: Math.min(9, Math.max(1, level)) }
      return { contentEncoding: "gzip", compress: (body) => fromCallback((done) => NodeZlib.gzip(body, options, done)) }
    }
    case "zstd": {
      const options = { params: { [NodeZlib.constants.ZSTD_c_compressionLevel]: level } }
      return { contentEncoding: "zstd", compress: (body) => fromCallback((done) => NodeZlib.zstdCompress(body, options, done)) }
    }
  }
}
