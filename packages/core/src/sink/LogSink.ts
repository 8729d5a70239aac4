/**
 * Where records end up. `ship` returns once every record of the batch was accepted or refused for good
 * (the refused ones come back with their reason, for the dead-letter path); it fails with a retryable
 * `SinkError` when the batch may be sent again as it is.
 *
 * The real layer (package @aurora-logs/openobserve) posts to OpenObserve; `layerNdjson` writes one NDJSON file per
 * stream (the demo without OpenObserve); `layerMemory` records what it accepted and can be told to fail.
 */
import * as NodePath from "node:path"
import { Context, Effect, Layer, Ref } from "effect"
import type { LogRecord } from "../domain/LogRecord.ts"
import { makeNdjsonAppender } from "./NdjsonAppend.ts"
import { SinkError, SinkUnavailable } from "./SinkError.ts"
import { DEFAULT_STREAM_TEMPLATE, makeStreamNamer } from "./StreamName.ts"

export interface Rejected {
  readonly record: LogRecord
  readonly reason: string
}

export interface ShipResult {
  readonly rejected: ReadonlyArray<Rejected>
}

export class LogSink extends Context.Service<LogSink, {
  readonly ship: (records: ReadonlyArray<LogRecord>) => Effect.Effect<ShipResult, SinkError>
}>()("aurora-logs/LogSink") {
  /**
   * Records what it accepts. `failures` is consulted before each batch: while it returns an error, the batch
   * fails with it and nothing is recorded.
   */
  static readonly layerMemory = (
    accepted: Ref.Ref<ReadonlyArray<LogRecord>>,
    failures: () => SinkError | undefined = () => undefined,
    /** Each batch takes this long (on the clock, so tests can stop a process while batches are on their way). */
    latencyMs: number = 0
  ) =>
    Layer.succeed(
      LogSink,
      LogSink.of({
        ship: (records) =>
          Effect.suspend(() => {
            const failure = failures()
            if (failure !== undefined) return Effect.fail(failure)
            const record = Effect.as(Ref.update(accepted, (all) => all.concat(records)), { rejected: [] })
            return latencyMs > 0 ? Effect.andThen(Effect.sleep(latencyMs), record) : record
          })
      })
    )

  /** One `<stream>.ndjson` file per OpenObserve stream under `dir`, appended and fsynced per batch (a torn line left by a killed process is cut first). */
  static readonly layerNdjson = (dir: string, template: string = DEFAULT_STREAM_TEMPLATE) =>
    Layer.sync(LogSink, () => {
      const streamOf = makeStreamNamer(template)
      const append = makeNdjsonAppender()
      return LogSink.of({
        ship: (records) =>
          Effect.try({
            try: () => {
              const byStream = new Map<string, Array<string>>()
              for (const record of records) {
                const stream = streamOf(record)
                let lines = byStream.get(stream)
                if (lines === undefined) byStream.set(stream, lines = [])
                lines.push(JSON.stringify(record))
              }
              for (const [stream, lines] of byStream) append(NodePath.join(dir, `${stream}.ndjson`), lines.join("\n") + "\n")
              return { rejected: [] }
            },
            catch: (e) => new SinkError({ reason: new SinkUnavailable({ message: `cannot write to ${dir}: ${String(e)}` }) })
          })
      })
    })
}
