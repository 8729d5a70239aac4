/**
 * Shipping lanes: batches of different partitions on their way to the sink at the same time, while each lane ships
 * its own batches one after the other and commits only its own partitions.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import { LogBus } from "../bus/LogBus.ts"
import { MemoryBus, partitionOf } from "../bus/MemoryBus.ts"
import type { Block } from "../domain/Block.ts"
import { fileKey } from "../domain/LogFile.ts"
import type { Instance } from "../domain/Instance.ts"
import type { LogRecord } from "../domain/LogRecord.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { syntheticRecord } from "../testing/SyntheticLogs.ts"
import { runProcessor } from "./Processor.ts"

const source: Instance = { id: "db-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
const PARTITIONS = 2
const SINK_LATENCY_MS = 1000

/** A file of `n` one-line records whose blocks land in `partition`. */
const fileIn = (partition: number, n: number): Block => {
  let i = 0
  while (partitionOf(fileKey({ instance: source.id, file: `f${i}.log`, generation: 0 }), PARTITIONS) !== partition) i++
  const text = Array.from({ length: n }, (_, k) => syntheticRecord("postgres", `tok_${partition}_${k}`, Date.UTC(2026, 10, 26, 9) + k, 0, false)).join("")
  return { instance: source.id, file: `f${i}.log`, generation: 0, source, format: "postgres", offset: 0, data: Buffer.from(text), partial: false, continuation: false, fence: 1 }
}

/** Batches the sink has accepted after the first `SINK_LATENCY_MS`, and the records in the order it accepted them. */
const shipWith = (lanes: number) =>
  Effect.gen(function*() {
    const bus = new MemoryBus(PARTITIONS, 1 << 20)
    yield* bus.publish([fileIn(0, 6), fileIn(1, 6)])
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const batches = yield* Ref.make(0)
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const counting = Layer.effect(
      LogSink,
      Effect.map(Effect.service(LogSink).pipe(Effect.provide(LogSink.layerMemory(accepted, undefined, SINK_LATENCY_MS))), (sink) =>
        LogSink.of({ ship: (records) => Effect.tap(sink.ship(records), () => Ref.update(batches, (n) => n + 1)) }))
    )
    const processor = yield* Effect.forkChild(
      Effect.scoped(runProcessor({ group: "g", batchRecords: 3, batchBytes: 1 << 20, batchWaitMs: 100, decoder: { maxRecordBytes: 1 << 20 }, commitCursors: false, shipLanes: lanes }))
        .pipe(Effect.provide(Layer.mergeAll(LogBus.layerMemoryShared(bus), counting, DeadLetters.layerMemory(letters))))
    )
    // The first batches start on their way within the first millisecond.
    yield* TestClock.adjust(1)
    yield* TestClock.adjust(SINK_LATENCY_MS)
    const afterOneLatency = yield* Ref.get(batches)
    yield* TestClock.adjust(10 * SINK_LATENCY_MS)
    yield* Fiber.interrupt(processor)
    return { afterOneLatency, records: yield* Ref.get(accepted), uncommitted: bus.uncommitted("g").length }
  })

const tokensOfPartition = (records: ReadonlyArray<LogRecord>, partition: number) =>
  records.map((r) => /tok_(\d+)_(\d+)/.exec(String(r.statement))!).filter((m) => Number(m[1]) === partition).map((m) => Number(m[2]))

describe("Processor shipping lanes", () => {
  it.effect("one lane ships one batch at a time; two lanes ship a batch of each partition at once", () =>
    Effect.gen(function*() {
      const one = yield* shipWith(1)
      const two = yield* shipWith(2)
      assert.strictEqual(one.afterOneLatency, 1)
      assert.strictEqual(two.afterOneLatency, 2)
      for (const run of [one, two]) {
        assert.strictEqual(run.records.length, 12)
        // Each partition's (and so each file's) records in the order they were written.
        assert.deepStrictEqual(tokensOfPartition(run.records, 0), [0, 1, 2, 3, 4, 5])
        assert.deepStrictEqual(tokensOfPartition(run.records, 1), [0, 1, 2, 3, 4, 5])
        assert.strictEqual(run.uncommitted, 0)
      }
    }))
})
