/**
 * Property: on random fleets whose files grow and rotate, with random download, block and carry sizes, sink
 * failures and crashes of the whole process at any moment, every record written is shipped, in order per file,
 * and a record is shipped twice only when it was in flight at a crash (and then under the same record_id).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { LogFormat } from "@aurora-logs/parsers"
import type { Instance } from "../domain/Instance.ts"
import type { LogRecord } from "../domain/LogRecord.ts"
import { RdsLogs } from "../rds/RdsLogs.ts"
import { SimulatedFleet } from "../rds/SimulatedFleet.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { SinkError, SinkUnavailable } from "../sink/SinkError.ts"
import { Cursors } from "../state/Cursors.ts"
import { Leases } from "../state/Leases.ts"
import { syntheticRecord, tokensOf } from "../testing/SyntheticLogs.ts"
import { runOneProcess } from "./OneProcess.ts"
import { checkDelivery, inFlightAtCrash, type Written } from "./testing/DeliveryCheck.ts"

type Step =
  | { readonly _tag: "write"; readonly file: number; readonly records: number; readonly size: number; readonly multiline: boolean }
  | { readonly _tag: "rotate"; readonly file: number }
  | { readonly _tag: "crash" }
  | { readonly _tag: "sinkDown"; readonly down: boolean }
  | { readonly _tag: "wait"; readonly ms: number }

interface Scenario {
  readonly files: ReadonlyArray<{ readonly instance: number; readonly format: LogFormat }>
  readonly steps: ReadonlyArray<Step>
  readonly portionBytes: number
  readonly maxBlockBytes: number
  readonly carryCap: number
}

const FORMATS: ReadonlyArray<LogFormat> = ["postgres", "mysql-slow", "mysql-general", "mysql-audit", "mysql-error"]

const scenario: fc.Arbitrary<Scenario> = fc.record({
  files: fc.array(fc.record({ instance: fc.integer({ min: 0, max: 2 }), format: fc.constantFrom(...FORMATS) }), { minLength: 1, maxLength: 4 }),
  steps: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ _tag: fc.constant("write" as const), file: fc.nat(), records: fc.integer({ min: 1, max: 8 }), size: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })), multiline: fc.boolean() }) },
      { weight: 1, arbitrary: fc.record({ _tag: fc.constant("rotate" as const), file: fc.nat() }) },
      { weight: 1, arbitrary: fc.constant({ _tag: "crash" as const }) },
      { weight: 1, arbitrary: fc.record({ _tag: fc.constant("sinkDown" as const), down: fc.boolean() }) },
      { weight: 3, arbitrary: fc.record({ _tag: fc.constant("wait" as const), ms: fc.integer({ min: 10, max: 4000 }) }) }
    ),
    { minLength: 1, maxLength: 40 }
  ),
  portionBytes: fc.integer({ min: 64, max: 8192 }),
  maxBlockBytes: fc.integer({ min: 256, max: 8192 }),
  carryCap: fc.integer({ min: 128, max: 4096 })
})

const activeName = (format: LogFormat, n: number, rotation: number): string => {
  switch (format) {
    case "postgres": return `error/postgresql.log.2026-11-26-${String(1000 + rotation).slice(-4)}`
    case "mysql-slow": return `slowquery/mysql-slowquery.log`
    case "mysql-general": return `general/mysql-general.log`
    case "mysql-error": return `error/mysql-error-running.log`
    default: return `audit/audit.log.${n}.2026-11-26-09-${String(10 + rotation).slice(-2)}.0`
  }
}

const runScenario = (s: Scenario) =>
  Effect.gen(function*() {
    const fleet = new SimulatedFleet()
    const instances: Array<Instance> = [0, 1, 2].map((i) => ({ id: `db-${i}`, cluster: "c", engine: "mysql", role: "writer", region: "r", tags: {} }))
    // One file per (instance, log type): the same log type twice on an instance would share a file name.
    const seen = new Set<string>()
    const files = s.files.filter((f) => {
      const key = `${f.instance}/${activeName(f.format, 0, 0).replace(/[.\d-]+$/, "")}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    for (const f of files) {
      const engine = f.format === "postgres" ? "postgres" : "mysql"
      instances[f.instance] = { ...instances[f.instance], engine: instances[f.instance].engine === "postgres" || engine === "postgres" ? engine : "mysql" }
    }
    for (const f of files) fleet.addInstance(instances[f.instance])
    const rotations = files.map(() => 0)
    const written: Array<Written> = []
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const sinkDown = { on: false }
    const inFlight = new Set<string>()
    let token = 0
    const services = yield* Layer.build(Layer.mergeAll(
      RdsLogs.layerMemory(fleet, { portionBytes: s.portionBytes }),
      LogSink.layerMemory(accepted, () => (sinkDown.on ? new SinkError({ reason: new SinkUnavailable({ message: "down" }) }) : undefined)),
      DeadLetters.layerMemory(letters),
      Cursors.layerMemory,
      Leases.layerMemory
    ))
    const start = () =>
      Effect.forkChild(runOneProcess({
        discovery: {
          owner: "solo",
          scanIntervalMs: 500,
          leaseTtlMs: 3_600_000,
          limits: { maxBlockBytes: s.maxBlockBytes, carryCap: s.carryCap },
          flushAfterMs: 2000,
          startAt: { _tag: "beginning" },
          concurrency: 2,
          maxBytesPerFileScan: 64 * 1024
        },
        processor: { group: "g", batchRecords: 50, batchBytes: 64 * 1024, batchWaitMs: 100, decoder: { maxRecordBytes: 1 << 20 }, backoff: { initialMs: 50, maxMs: 1000 } },
        maxBacklogBytes: 256 * 1024
      }).pipe(Effect.provide(services)))
    let fiber = yield* start()
    let now = 0
    for (const step of s.steps) {
      switch (step._tag) {
        case "write": {
          const k = step.file % files.length
          const f = files[k]
          const name = activeName(f.format, f.instance, rotations[k])
          let text = ""
          for (let i = 0; i < step.records; i++) {
            const t = `tok_${k}_${token++}`
            written.push({ token: t, stream: k })
            text += syntheticRecord(f.format, t, 1_764_150_000_000 + now, i === 0 ? step.size : 0, step.multiline)
          }
          fleet.append(instances[f.instance].id, name, text, now)
          break
        }
        case "rotate": {
          const k = step.file % files.length
          const f = files[k]
          const name = activeName(f.format, f.instance, rotations[k])
          if (f.format === "postgres" || f.format === "mysql-audit") rotations[k]++
          else fleet.rotateByRename(instances[f.instance].id, name, `${name}.2026-11-26.${String(rotations[k]++).padStart(2, "0")}`, now)
          break
        }
        case "crash": {
          yield* Fiber.interrupt(fiber)
          const committed = yield* Effect.gen(function*() {
            const cursors = yield* Cursors
            return yield* Effect.forEach(instances, (i) => cursors.list(i.id))
          }).pipe(Effect.provide(services))
          for (const id of inFlightAtCrash(yield* Ref.get(accepted), committed.flat())) inFlight.add(id)
          fiber = yield* start()
          break
        }
        case "sinkDown":
          sinkDown.on = step.down
          break
        case "wait":
          now += step.ms
          yield* TestClock.adjust(step.ms)
          break
      }
    }
    sinkDown.on = false
    for (let i = 0; i < 120; i++) {
      now += 1000
      yield* TestClock.adjust(1000)
    }
    const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
    assert.isTrue(Exit.hasInterrupts(exit) || Exit.isSuccess(exit), `pipeline failed: ${String(exit)}`)
    checkDelivery(written, yield* Ref.get(accepted), inFlight, (r) => tokensOf(r))
    assert.strictEqual((yield* Ref.get(letters)).length, 0)
  }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))

describe("one-process pipeline under crashes (property)", () => {
  it.live("ships every written record, in order per file; duplicates only from in-flight work", () =>
    Effect.promise(() =>
      fc.assert(fc.asyncProperty(scenario, (s) => Effect.runPromise(runScenario(s))), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200) })
    ), 240_000)
})
