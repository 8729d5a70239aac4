/**
 * `aurora-logs demo`: the whole pipeline in one process on embedded defaults. A simulated Aurora fleet (kept under
 * the data folder, so a restarted demo resumes against the same files) or the files of `--from-dir`, the
 * in-process bus, cursors in a file, and NDJSON files per OpenObserve stream (OpenObserve itself when
 * `OPENOBSERVE_URL` is set).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import {
  Cursors,
  CurrentPipelineStats,
  DeadLetters,
  Leases,
  PipelineStats,
  RdsLogs,
  runOneProcess,
  type SimulatedFleet
} from "@aurora-logs/core"
import { DemoWorkload, FleetDirectory } from "@aurora-logs/testkit"
import { Clock, Effect, Layer } from "effect"
import { oneProcessConfig } from "../config/PipelineSettings.ts"
import { describeSink, sinkLayer } from "../config/SinkSelection.ts"
import { durationFlag, intFlag, numberFlag, parseFlags, stringFlag, UsageError } from "../Flags.ts"
import { telemetryLayer } from "../telemetry/Telemetry.ts"
import { DEMO_USAGE } from "./DemoUsage.ts"
import { DemoProgress } from "./DemoProgress.ts"
import { fleetFromDir } from "./DemoFleet.ts"

const FLAGS = {
  instances: "string",
  duration: "string",
  "from-dir": "string",
  out: "string",
  "data-dir": "string",
  rate: "string",
  quiet: "boolean"
} as const

export const demoCommand = Effect.fn("demo")(function*(argv: ReadonlyArray<string>) {
  const flags = yield* Effect.try({ try: () => parseFlags("demo", argv, FLAGS), catch: (e) => e as UsageError })
  if (flags.positional.length > 0) return yield* new UsageError({ message: `demo: unexpected argument "${flags.positional[0]}"; usage: ${DEMO_USAGE}` })
  const { instances, durationMs, fromDir, rate } = yield* Effect.try({
    try: () => ({
      instances: intFlag("demo", flags, "instances", 1, 500) ?? 4,
      durationMs: durationFlag("demo", flags, "duration"),
      fromDir: stringFlag(flags, "from-dir"),
      rate: numberFlag("demo", flags, "rate") ?? 2
    }),
    catch: (e) => e as UsageError
  })
  const settings = yield* oneProcessConfig
  const dataDir = stringFlag(flags, "data-dir") ?? NodePath.resolve(process.env.AURORA_LOGS_DATA_DIR ?? "./.aurora-logs")
  const outDir = stringFlag(flags, "out") ?? NodePath.join(dataDir, "out")
  const quiet = flags.values.has("quiet")
  // A file where a folder belongs would only show later as a sink retrying for ever (or a raw ENOTDIR).
  const dataDirSource = flags.values.has("data-dir") ? "--data-dir" : "AURORA_LOGS_DATA_DIR"
  for (const [name, dir] of [[flags.values.has("out") ? "--out" : dataDirSource, outDir], [dataDirSource, dataDir]] as const) {
    if (NodeFs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
      return yield* new UsageError({ message: `demo: ${name} expects a folder, "${dir}" is a file` })
    }
  }

  let fleet: SimulatedFleet
  let workload: DemoWorkload | undefined
  if (fromDir !== undefined) {
    const served = yield* Effect.try({ try: () => fleetFromDir(fromDir, "local"), catch: (e) => e as UsageError })
    fleet = served.fleet
    if (served.skipped.length > 0 && !quiet) console.log(`skipped ${served.skipped.length} files whose names say no log type (e.g. ${served.skipped.slice(0, 3).join(", ")})`)
  } else {
    const directory = FleetDirectory.open(NodePath.join(dataDir, "fleet"))
    workload = new DemoWorkload(directory, { rotateEveryMs: 120_000, retentionMs: 30 * 60_000, rateScale: rate })
    workload.ensureInstances(instances)
    fleet = directory.fleet
  }

  const options = {
    ...settings,
    discovery: {
      ...settings.discovery,
      startAt: { _tag: "beginning" as const },
      scanIntervalMs: 1000,
      flushAfterMs: fromDir !== undefined ? 500 : 3000
    },
    processor: { ...settings.processor, batchWaitMs: 300 }
  }
  const stats = new PipelineStats()
  const layers = Layer.mergeAll(
    RdsLogs.layerMemory(fleet),
    Cursors.layerFile(NodePath.join(dataDir, "cursors.json")),
    Leases.layerMemory,
    DeadLetters.layerFile(NodePath.join(dataDir, "dead-letters.ndjson")),
    yield* sinkLayer(outDir)
  )
  const where = describeSink(outDir)

  const program = Effect.gen(function*() {
    const startedAt = yield* Clock.currentTimeMillis
    const progress = new DemoProgress(stats, startedAt)
    if (!quiet) {
      console.log(`aurora-logs demo: ${fleet.instances().length} instances, data in ${dataDir}, records to ${where}${durationMs === undefined && fromDir === undefined ? "; Ctrl-C stops" : ""}`)
    }
    yield* Effect.forkScoped(runOneProcess(options))
    const generating = { on: workload !== undefined }
    if (workload !== undefined) {
      const w = workload
      let last = startedAt
      yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        if (generating.on) w.tick(now, now - last)
        last = now
        yield* Effect.sleep(250)
      })))
    }
    if (!quiet) {
      const tty = process.stdout.isTTY === true
      yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
        yield* Effect.sleep(tty ? 1000 : 5000)
        const line = progress.line(yield* Clock.currentTimeMillis)
        process.stdout.write(tty ? `\r\x1b[K${line}` : `${line}\n`)
      })))
    }
    const finish = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      if (!quiet) process.stdout.write(`${process.stdout.isTTY ? "\r\x1b[K" : ""}${progress.summary(now, where)}\n`)
    })
    yield* Effect.onInterrupt(
      Effect.gen(function*() {
        if (durationMs !== undefined) {
          yield* Effect.sleep(durationMs)
          generating.on = false
        } else if (fromDir === undefined) {
          return yield* Effect.never
        }
        // Stop by ourselves once the sink accepted every byte the fleet holds: idle over two scans in a row, so
        // that a scan that began before the last write cannot fool us.
        let idleSince = -1
        while (idleSince === -1 || stats.scans < idleSince + 2 || !stats.idle) {
          if (!stats.idle) idleSince = -1
          else if (idleSince === -1) idleSince = stats.scans
          yield* Effect.sleep(200)
        }
        yield* finish
      }),
      () => finish
    )
  })
  yield* program.pipe(Effect.scoped, Effect.provide(Layer.merge(layers, telemetryLayer("demo"))), Effect.provideService(CurrentPipelineStats, stats))
  return 0
})
