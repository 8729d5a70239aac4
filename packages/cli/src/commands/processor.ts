/**
 * `aurora-logs processor`: the processing service of the distributed deployment. One Kafka consumer group;
 * records parsed, enriched and shipped to OpenObserve; offsets committed once OpenObserve accepted everything
 * before them; what OpenObserve refuses for good, and what cannot be decoded, goes to the dead-letter topic.
 */
import { CurrentPipelineStats, PipelineStats, retryWhileRetryable, runProcessor } from "@aurora-logs/core"
import { KafkaClient, KafkaLogBus } from "@aurora-logs/kafka"
import { OpenObserveSink } from "@aurora-logs/openobserve"
import { Effect, Layer } from "effect"
import { oneProcessConfig } from "../config/PipelineSettings.ts"
import { parseFlags, UsageError } from "../Flags.ts"
import { HealthPort, healthServerLayer } from "../server/HealthServer.ts"
import { telemetryLayer } from "../telemetry/Telemetry.ts"

export const processorCommand = Effect.fn("processor")(function*(argv: ReadonlyArray<string>) {
  const flags = yield* Effect.try({ try: () => parseFlags("processor", argv, {}), catch: (e) => e as UsageError })
  if (flags.positional.length > 0) return yield* new UsageError({ message: "processor: takes no arguments (settings come from the environment)" })
  const settings = (yield* oneProcessConfig).processor
  const port = yield* HealthPort
  const stats = new PipelineStats()
  const services = Layer.mergeAll(KafkaLogBus.layerConfig, OpenObserveSink.layerConfig)
  const health = healthServerLayer(port, { shipWithinMs: 5 * 60_000 })
  return yield* Effect.gen(function*() {
    const group = (yield* KafkaClient).settings.group
    yield* Effect.logInfo(`aurora-logs processor: consumer group ${group}`)
    // kafkajs gives a consumer up for good on some broker failures (a group coordinator it cannot find while the
    // broker restarts): a new consumer, in a scope of its own, carries on from the committed offsets, and the
    // process stays up through a broker outage. What was in flight is delivered again (the same record ids).
    yield* retryWhileRetryable(Effect.scoped(runProcessor({ ...settings, group, commitCursors: false })), {
      onRetry: (e, attempt, delayMs) => Effect.logWarning(`${e.message}; a new consumer in ${delayMs} ms (attempt ${attempt + 1})`)
    })
    return 0
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(services, health, telemetryLayer("processor"))),
    Effect.provideService(CurrentPipelineStats, stats)
  )
})
