import * as NodeFs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import type { LogRecord } from "../domain/LogRecord.ts"
import { RdsLogs } from "../rds/RdsLogs.ts"
import { SimulatedFleet } from "../rds/SimulatedFleet.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { Cursors } from "../state/Cursors.ts"
import { Leases } from "../state/Leases.ts"
import { runOneProcess, type OneProcessOptions } from "./OneProcess.ts"

const fixture = (p: string) => NodeFs.readFileSync(new URL(`../../../testkit/fixtures/${p}`, import.meta.url))

const options: OneProcessOptions = {
  discovery: {
    owner: "test",
    scanIntervalMs: 1000,
    leaseTtlMs: 60_000,
    limits: { maxBlockBytes: 64 * 1024, carryCap: 32 * 1024 },
    flushAfterMs: 5000,
    startAt: { _tag: "beginning" },
    concurrency: 2,
    maxBytesPerFileScan: 1 << 20
  },
  processor: { group: "g", batchRecords: 500, batchBytes: 1 << 20, batchWaitMs: 200, decoder: { maxRecordBytes: 1 << 24 } },
  maxBacklogBytes: 4 << 20
}

describe("one-process pipeline on in-memory layers", () => {
  it.effect("ships every record of a growing PostgreSQL file exactly once", () =>
    Effect.gen(function*() {
      const fleet = new SimulatedFleet()
      fleet.addInstance({ id: "pg-1", cluster: "c1", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} })
      const text = fixture("postgresql/postgresql.log.2026-11-26-0940")
      const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
      const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
      const layers = Layer.mergeAll(
        RdsLogs.layerMemory(fleet, { portionBytes: 4096 }),
        LogSink.layerMemory(accepted),
        DeadLetters.layerMemory(letters),
        Cursors.layerMemory,
        Leases.layerMemory
      )
      const fiber = yield* Effect.forkChild(runOneProcess(options).pipe(Effect.provide(layers)))
      for (let at = 0; at < text.length; at += 3000) {
        fleet.append("pg-1", "error/postgresql.log.2026-11-26-0940", text.subarray(at, Math.min(at + 3000, text.length)), at)
        yield* TestClock.adjust(1000)
      }
      yield* TestClock.adjust(10_000)
      yield* TestClock.adjust(10_000)
      const records = yield* Ref.get(accepted)
      yield* Fiber.interrupt(fiber)
      const ids = new Set(records.map((r) => r.record_id))
      assert.strictEqual(ids.size, records.length)
      assert.strictEqual(records.length, 71)
    }))

  it.effect("ships a 5 MB record whole: partial blocks on the bus, reassembled by the processor", () =>
    Effect.gen(function*() {
      const fleet = new SimulatedFleet()
      fleet.addInstance({ id: "pg-1", cluster: "c1", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} })
      const big = "x".repeat(5 * 1024 * 1024)
      const prefix = "2026-11-26 09:40:00 UTC:10.0.0.7(5432):app@appdb:[4242]:"
      const text = `${prefix}LOG:  statement: SELECT 1\n${prefix}LOG:  duration: 2.0 ms  statement: SELECT '${big}'\n${prefix}LOG:  statement: SELECT 3\n`
      const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
      const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
      const layers = Layer.mergeAll(
        RdsLogs.layerMemory(fleet),
        LogSink.layerMemory(accepted),
        DeadLetters.layerMemory(letters),
        Cursors.layerMemory,
        Leases.layerMemory
      )
      const fiber = yield* Effect.forkChild(runOneProcess({
        ...options,
        discovery: { ...options.discovery, limits: { maxBlockBytes: 512 * 1024, carryCap: 256 * 1024 }, maxBytesPerFileScan: 64 << 20 },
        maxBacklogBytes: 64 << 20
      }).pipe(Effect.provide(layers)))
      fleet.append("pg-1", "error/postgresql.log.2026-11-26-0940", text, 0)
      for (let i = 0; i < 20; i++) yield* TestClock.adjust(1000)
      const records = yield* Ref.get(accepted)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(records.length, 3)
      assert.strictEqual(records[1].statement, `SELECT '${big}'`)
      assert.strictEqual(records[1].duration_ms, 2)
      assert.strictEqual(records[1].truncated, undefined)
      assert.deepStrictEqual(records.map((r) => r.offset), [0, text.indexOf("\n") + 1, text.lastIndexOf(prefix)])
    }))
})
