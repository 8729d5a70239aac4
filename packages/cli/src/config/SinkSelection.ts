/**
 * Where the one-process modes ship: OpenObserve when `OPENOBSERVE_URL` is set, NDJSON files per stream otherwise.
 */
import { LogSink } from "@aurora-logs/core"
import { OpenObserveSink } from "@aurora-logs/openobserve"
import { Config, Effect } from "effect"

export const sinkLayer = (outDir: string) =>
  Effect.gen(function*() {
    const template = yield* Config.String("OPENOBSERVE_STREAM_TEMPLATE").pipe(Config.withDefault("aurora_{source}"))
    return OpenObserveSink.layerConfigOr(LogSink.layerNdjson(outDir, template))
  })

/** Says where records go, for the start-up line. */
export const describeSink = (outDir: string): string =>
  process.env.OPENOBSERVE_URL ? `OpenObserve at ${process.env.OPENOBSERVE_URL}` : `${outDir}/<stream>.ndjson`
