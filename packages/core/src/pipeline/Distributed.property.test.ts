/**
 * Property: the distributed mode on in-memory layers. Two discovery replicas share the instances by leases and
 * publish to a bus that outlives them; a processor consumes it. Either kind of process crashes at random moments
 * (a crashed replica comes back under a new name, and its instances move once its leases expire), the sink fails
 * for a while, files grow and rotate. Every written record is shipped, in order per file, and duplicates come
 * only from work in flight at a crash: blocks published after the stored cursor, or messages not yet committed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { fileKey } from "../domain/LogFile.ts"
import type { LogRecord } from "../domain/LogRecord.ts"
import { LogBus } from "../bus/LogBus.ts"
import { MemoryBus } from "../bus/MemoryBus.ts"
import { RdsLogs } from "../rds/RdsLogs.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { SinkError, SinkUnavailable } from "../sink/SinkError.ts"
import { Cursors } from "../state/Cursors.ts"
import { Leases } from "../state/Leases.ts"
import { tokensOf } from "../testing/SyntheticLogs.ts"
import { makeDiscovery } from "./Discovery.ts"
import { runProcessor } from "./Processor.ts"
import { checkDelivery, InFlightWindows } from "./testing/DeliveryCheck.ts"
import { fileSpecs, ScenarioFleet, settle, sizes, steps } from "./testing/ScenarioFleet.ts"

/** Crashes `afterMs` into the next stretch of time: with batches taking time, they can fall in the middle of work. */
const afterMs = fc.integer({ min: 0, max: 1000 })
const crashDiscovery = fc.record({ _tag: fc.constant("crashDiscovery" as const), replica: fc.integer({ min: 0, max: 1 }), afterMs })
const crashProcessor = fc.record({ _tag: fc.constant("crashProcessor" as const), afterMs })

const scenario = fc.record({
  files: fileSpecs,
  steps: steps<
    { readonly _tag: "crashDiscovery"; readonly replica: number; readonly afterMs: number } | { readonly _tag: "crashProcessor"; readonly afterMs: number }
  >([crashDiscovery, crashProcessor]),
  ...sizes,
  // Batches on their way when a crash comes: crashes then hit work in flight, not only a pipeline at rest.
  sinkLatencyMs: fc.constantFrom(0, 5, 40),
  // Batches smaller than a block: a block's records then span batches, and a crash can fall between them.
  batchRecords: fc.integer({ min: 1, max: 50 }),
  // Batches of different partitions shipped side by side (the bus has 4 partitions).
  shipLanes: fc.constantFrom(1, 2, 3),
  // Acknowledgements that take time: a discovery crash can fall between a publish and its cursor write.
  publishLatencyMs: fc.constantFrom(0, 5, 40),
  cursorWriteIntervalMs: fc.constantFrom(0, 1500, 20_000)
})
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never

const LEASE_TTL = 5000

const runScenario = (s: Scenario) =>
  Effect.gen(function*() {
    const scenarioFleet = new ScenarioFleet(s.files)
    const { fleet, instances, written } = scenarioFleet
    const bus = new MemoryBus(4, 1 << 20, s.publishLatencyMs)
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const { sinkDown } = scenarioFleet
    const inFlight = new InFlightWindows()
    const services = yield* Layer.build(Layer.mergeAll(
      RdsLogs.layerMemory(fleet, { portionBytes: s.portionBytes }),
      LogBus.layerMemoryShared(bus),
      LogSink.layerMemory(accepted, () => (sinkDown.on ? new SinkError({ reason: new SinkUnavailable({ message: "down" }) }) : undefined), s.sinkLatencyMs),
      DeadLetters.layerMemory(letters),
      Cursors.layerMemory,
      Leases.layerMemory
    ))
    const restarts = [0, 0]
    const startDiscovery = (replica: number) =>
      Effect.forkChild(Effect.gen(function*() {
        const discovery = yield* makeDiscovery({
          owner: `d${replica}-${restarts[replica]++}`,
          scanIntervalMs: 500,
          leaseTtlMs: LEASE_TTL,
          limits: { maxBlockBytes: s.maxBlockBytes, carryCap: s.carryCap },
          flushAfterMs: 2000,
          startAt: { _tag: "beginning" },
          concurrency: 2,
          maxBytesPerFileScan: 64 * 1024,
          commit: "afterPublish",
          takeAll: false,
          cursorWriteIntervalMs: s.cursorWriteIntervalMs,
          cursorWriteBytes: 4096
        })
        return yield* discovery.run
      }).pipe(Effect.scoped, Effect.provide(services)))
    const startProcessor = () =>
      Effect.forkChild(runProcessor({
        group: "g",
        batchRecords: s.batchRecords,
        shipLanes: s.shipLanes,
        batchBytes: 64 * 1024,
        batchWaitMs: 100,
        decoder: { maxRecordBytes: 1 << 20 },
        backoff: { initialMs: 50, maxMs: 1000 },
        commitCursors: false
      }).pipe(Effect.scoped, Effect.provide(services)))
    const storedCursors = Effect.gen(function*() {
      const cursors = yield* Cursors
      return (yield* Effect.forEach(instances, (i) => cursors.list(i.id))).flat()
    }).pipe(Effect.provide(services))

    const discoveries = [yield* startDiscovery(0), yield* startDiscovery(1)]
    let processor = yield* startProcessor()
    for (const step of s.steps) {
      switch (step._tag) {
        case "crashDiscovery":
          yield* scenarioFleet.advance(step.afterMs)
          yield* Fiber.interrupt(discoveries[step.replica])
          inFlight.addAfterCursors(yield* storedCursors)
          discoveries[step.replica] = yield* startDiscovery(step.replica)
          break
        case "crashProcessor":
          yield* scenarioFleet.advance(step.afterMs)
          yield* Fiber.interrupt(processor)
          for (const m of bus.uncommitted("g")) inFlight.add(fileKey(m.block), m.block.offset, m.block.offset + m.block.data.length)
          processor = yield* startProcessor()
          break
        default:
          yield* scenarioFleet.run(step)
      }
    }
    yield* settle([...discoveries, processor], sinkDown)
    checkDelivery(written, yield* Ref.get(accepted), inFlight, (r) => tokensOf(r))
    assert.strictEqual((yield* Ref.get(letters)).length, 0)
  }).pipe(Effect.scoped, Effect.provide(TestClock.layer()))

describe("distributed pipeline under crashes (property)", () => {
  it.live("ships every written record, in order per file; duplicates only from in-flight work", () =>
    Effect.promise(() =>
      fc.assert(fc.asyncProperty(scenario, (s) => Effect.runPromise(runScenario(s))), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) })
    ), 300_000)
})
