/**
 * `aurora-logs discovery`: the discovery service of the distributed deployment. Replicas share the fleet by leases
 * in DynamoDB, tail the RDS API, publish blocks to Kafka and move each cursor once Kafka acknowledged.
 */
import { AwsRdsLogs, DynamoCursors, DynamoLeases } from "@aurora-logs/aws"
import { CurrentPipelineStats, makeDiscovery, PipelineStats } from "@aurora-logs/core"
import { KafkaLogBus } from "@aurora-logs/kafka"
import { Effect, Layer } from "effect"
import { cursorWriteConfig, oneProcessConfig } from "../config/PipelineSettings.ts"
import { parseFlags, UsageError } from "../Flags.ts"
import { HealthPort, healthServerLayer } from "../server/HealthServer.ts"
import { telemetryLayer } from "../telemetry/Telemetry.ts"

export const discoveryCommand = Effect.fn("discovery")(function*(argv: ReadonlyArray<string>) {
  const flags = yield* Effect.try({ try: () => parseFlags("discovery", argv, {}), catch: (e) => e as UsageError })
  if (flags.positional.length > 0) return yield* new UsageError({ message: "discovery: takes no arguments (settings come from the environment)" })
  const settings = (yield* oneProcessConfig).discovery
  const writes = yield* cursorWriteConfig
  const port = yield* HealthPort
  const stats = new PipelineStats()
  const services = Layer.mergeAll(AwsRdsLogs.layerConfig, DynamoCursors.layerConfig, DynamoLeases.layerConfig, KafkaLogBus.layerConfig)
  const health = healthServerLayer(port, { scanWithinMs: 3 * settings.scanIntervalMs + 60_000 })
  yield* Effect.logInfo(`aurora-logs discovery ${settings.owner}: scanning every ${settings.scanIntervalMs} ms, lease ${settings.leaseTtlMs} ms`)
  return yield* Effect.gen(function*() {
    const discovery = yield* makeDiscovery({ ...settings, ...writes, commit: "afterPublish", takeAll: false })
    return yield* discovery.run
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(services, health, telemetryLayer("discovery"))),
    Effect.provideService(CurrentPipelineStats, stats)
  )
})
