/**
 * Property: on random fleets whose files grow and rotate, with random download, block and carry sizes, sink
 * failures and crashes of the whole process at any moment, every record written is shipped, in order per file,
 * and a record is shipped twice only when it was in flight at a crash (and then under the same record_id).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { LogRecord } from "../domain/LogRecord.ts"
import { RdsLogs } from "../rds/RdsLogs.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { SinkError, SinkUnavailable } from "../sink/SinkError.ts"
import { Cursors } from "../state/Cursors.ts"
import { Leases } from "../state/Leases.ts"
import { tokensOf } from "../testing/SyntheticLogs.ts"
import { runOneProcess } from "./OneProcess.ts"
import { checkDelivery, inFlightAtCrash } from "./testing/DeliveryCheck.ts"
import { fileSpecs, type FileSpec, rotateStep, type RotateStep, ScenarioFleet, writeStep, type WriteStep } from "./testing/ScenarioFleet.ts"

type Step =
  | WriteStep
  | RotateStep
  | { readonly _tag: "crash" }
  | { readonly _tag: "sinkDown"; readonly down: boolean }
  | { readonly _tag: "wait"; readonly ms: number }

interface Scenario {
  readonly files: ReadonlyArray<FileSpec>
  readonly steps: ReadonlyArray<Step>
  readonly portionBytes: number
  readonly maxBlockBytes: number
  readonly carryCap: number
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  files: fileSpecs,
  steps: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: writeStep },
      { weight: 1, arbitrary: rotateStep },
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

const runScenario = (s: Scenario) =>
  Effect.gen(function*() {
    const scenarioFleet = new ScenarioFleet(s.files)
    const { fleet, instances, written } = scenarioFleet
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const sinkDown = { on: false }
    const inFlight = new Set<string>()
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
        case "write":
          scenarioFleet.write(step, now)
          break
        case "rotate":
          scenarioFleet.rotate(step, now)
          break
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
