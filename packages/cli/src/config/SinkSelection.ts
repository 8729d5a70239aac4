/**
 * Where the one-process modes ship: OpenObserve when `OPENOBSERVE_URL` is set, NDJSON files per stream otherwise.
 */
import { LogSink } from "@aurora-logs/core"
import { Config, Effect } from "effect"

export const sinkLayer = (outDir: string) =>
  Effect.gen(function*() {
    const template = yield* Config.String("OPENOBSERVE_STREAM_TEMPLATE").pipe(Config.withDefault("aurora_{source}"))
    return LogSink.layerNdjson(outDir, template)
  })
