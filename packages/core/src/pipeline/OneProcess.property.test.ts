/**
 * Property: on random fleets whose files grow and rotate, with random download, block and carry sizes, sink
 * failures and crashes of the whole process at any moment, every record written is shipped, in order per file,
 * and a record is shipped twice only when it was in flight at a crash (and then under the same record_id).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref } from "effect"
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
import { checkDelivery, InFlightWindows } from "./testing/DeliveryCheck.ts"
import { fileSpecs, ScenarioFleet, settle, sizes, steps } from "./testing/ScenarioFleet.ts"

/** A crash `afterMs` into the next stretch of time: with batches taking time, it can fall in the middle of work. */
const crash = fc.record({ _tag: fc.constant("crash" as const), afterMs: fc.integer({ min: 0, max: 1000 }) })

const scenario = fc.record({ files: fileSpecs, steps: steps([crash]), ...sizes,
  // Batches on their way when a crash comes: crashes then hit work in flight, not only a pipeline at rest.
  sinkLatencyMs: fc.constantFrom(0, 5, 40),
  // Batches smaller than a block: a block's records then span batches, and a crash can fall between them.
  batchRecords: fc.integer({ min: 1, max: 50 }),
  // Batches of different partitions shipped side by side.
  shipLanes: fc.constantFrom(1, 2, 3) })
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

const runScenario = (s: Scenario) =>
  Effect.gen(function*() {
    const scenarioFleet = new ScenarioFleet(s.files)
    const { fleet, instances, written } = scenarioFleet
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const { sinkDown } = scenarioFleet
    const inFlight = new InFlightWindows()
    const services = yield* Layer.build(Layer.mergeAll(
      RdsLogs.layerMemory(fleet, { portionBytes: s.portionBytes }),
      LogSink.layerMemory(accepted, () => (sinkDown.on ? new SinkError({ reason: new SinkUnavailable({ message: "down" }) }) : undefined), s.sinkLatencyMs),
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
        processor: { group: "g", batchRecords: s.batchRecords, shipLanes: s.shipLanes, batchBytes: 64 * 1024, batchWaitMs: 100, decoder: { maxRecordBytes: 1 << 20 }, backoff: { initialMs: 50, maxMs: 1000 } },
        maxBacklogBytes: 256 * 1024
      }).pipe(Effect.provide(services)))
    let fiber = yield* start()
    for (const step of s.steps) {
      if (step._tag !== "crash") {
        yield* scenarioFleet.run(step)
        continue
      }
      yield* scenarioFleet.advance(step.afterMs)
      yield* Fiber.interrupt(fiber)
      const committed = yield* Effect.gen(function*() {
        const cursors = yield* Cursors
        return yield* Effect.forEach(instances, (i) => cursors.list(i.id))
      }).pipe(Effect.provide(services))
      inFlight.addAfterCursors(committed.flat())
      fiber = yield* start()
    }
    yield* settle([fiber], sinkDown)
    checkDelivery(written, yield* Ref.get(accepted), inFlight, (r) => tokensOf(r))
    assert.strictEqual((yield* Ref.get(letters)).length, 0)
  }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))

describe("one-process pipeline under crashes (property)", () => {
  it.live("ships every written record, in order per file; duplicates only from in-flight work", () =>
    Effect.promise(() =>
      fc.assert(fc.asyncProperty(scenario, (s) => Effect.runPromise(runScenario(s))), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) })
    ), 240_000)
})
