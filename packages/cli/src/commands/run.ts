/**
 * `aurora-logs run`: one process against a real Aurora fleet (the RDS API as the AWS SDK finds it), the in-process
 * bus, cursors in a local file or DynamoDB, records to OpenObserve (or NDJSON files when `OPENOBSERVE_URL` is not
 * set). For small fleets; larger ones run `discovery` and `processor` around Kafka.
 */
import * as NodePath from "node:path"
import { AwsRdsLogs } from "@aurora-logs/aws"
import { CurrentPipelineStats, DeadLetters, PipelineStats, runOneProcess } from "@aurora-logs/core"
import { Effect, Layer } from "effect"
import { dataDirConfig, oneProcessConfig } from "../config/PipelineSettings.ts"
import { describeSink, sinkLayer } from "../config/SinkSelection.ts"
import { describeState, stateLayer, StateKind } from "../config/StateSelection.ts"
import { parseFlags, UsageError } from "../Flags.ts"
import { HealthPort, healthServerLayer } from "../server/HealthServer.ts"
import { telemetryLayer } from "../telemetry/Telemetry.ts"

export const RUN_USAGE = "aurora-logs run"

export const runCommand = Effect.fn("run")(function*(argv: ReadonlyArray<string>) {
  const flags = yield* Effect.try({ try: () => parseFlags("run", argv, {}), catch: (e) => e as UsageError })
  if (flags.positional.length > 0) return yield* new UsageError({ message: `run: takes no arguments (settings come from the environment); usage: ${RUN_USAGE}` })
  const settings = yield* oneProcessConfig
  const dataDir = NodePath.resolve(yield* dataDirConfig)
  const kind = yield* StateKind
  const port = yield* HealthPort
  const stats = new PipelineStats()
  yield* Effect.logInfo(`aurora-logs run: records to ${describeSink(NodePath.join(dataDir, "out"))}, cursors in ${yield* describeState(kind, dataDir)}, dead letters in ${NodePath.join(dataDir, "dead-letters.ndjson")}`)
  const services = Layer.mergeAll(
    AwsRdsLogs.layerConfig,
    stateLayer(kind, dataDir),
    DeadLetters.layerFile(NodePath.join(dataDir, "dead-letters.ndjson")),
    yield* sinkLayer(NodePath.join(dataDir, "out"))
  )
  const health = healthServerLayer(port, { scanWithinMs: 3 * settings.discovery.scanIntervalMs + 60_000, shipWithinMs: 5 * 60_000 })
  yield* runOneProcess(settings).pipe(
    Effect.provide(Layer.mergeAll(services, health, telemetryLayer("run"))),
    Effect.provideService(CurrentPipelineStats, stats)
  )
  return 0
})
