import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Ref } from "effect"
import { TestClock } from "effect/testing"
import type { Instance } from "../domain/Instance.ts"
import type { LogRecord } from "../domain/LogRecord.ts"
import { LogBus } from "../bus/LogBus.ts"
import { MemoryBus } from "../bus/MemoryBus.ts"
import { RdsError, RdsUnavailable } from "../rds/RdsError.ts"
import { RdsLogs } from "../rds/RdsLogs.ts"
import { SimulatedFleet } from "../rds/SimulatedFleet.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { Cursors } from "../state/Cursors.ts"
import { Leases } from "../state/Leases.ts"
import { syntheticRecord, tokensOf } from "../testing/SyntheticLogs.ts"
import { type DiscoveryOptions, makeDiscovery, type StartAt } from "./Discovery.ts"
import { CurrentPipelineStats, PipelineStats } from "./PipelineStats.ts"
import { runProcessor } from "./Processor.ts"

const mysql: Instance = { id: "my-1", cluster: "c", engine: "mysql", role: "writer", region: "r", tags: {} }
const SLOW = "slowquery/mysql-slowquery.log"

const options = (startAt: StartAt, maxBytesPerFileScan = 1 << 20): DiscoveryOptions => ({
  owner: "solo",
  scanIntervalMs: 1000,
  leaseTtlMs: 60_000,
  limits: { maxBlockBytes: 4096, carryCap: 2048 },
  flushAfterMs: 1000,
  startAt,
  concurrency: 1,
  maxBytesPerFileScan,
  commit: "afterPublish",
  takeAll: true
})

/** A fleet, a discovery stepped scan by scan, and a processor shipping to a recorder. */
const harness = (startAt: StartAt, maxBytesPerFileScan?: number) =>
  Effect.gen(function*() {
    const fleet = new SimulatedFleet()
    fleet.addInstance(mysql)
    const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
    const stats = new PipelineStats()
    // Runs once, just before the next page is downloaded: what happens between a listing and a read.
    let beforeNextRead: (() => void) | undefined
    const listings = { count: 0 }
    const rds = Layer.effect(RdsLogs, Effect.map(Effect.service(RdsLogs), (inner) =>
      RdsLogs.of({
        ...inner,
        listFiles: (instance) => Effect.andThen(Effect.sync(() => listings.count++), inner.listFiles(instance)),
        downloadPortion: (instance, file, marker) =>
          Effect.suspend(() => {
            const hook = beforeNextRead
            beforeNextRead = undefined
            hook?.()
            return inner.downloadPortion(instance, file, marker)
          })
      }))).pipe(Layer.provide(RdsLogs.layerMemory(fleet, { portionBytes: 700 })))
    const services = yield* Layer.build(Layer.mergeAll(
      rds,
      LogBus.layerMemoryShared(new MemoryBus(2, 1 << 20)),
      LogSink.layerMemory(accepted),
      DeadLetters.layerMemory(yield* Ref.make<ReadonlyArray<DeadLetter>>([])),
      Cursors.layerMemory,
      Leases.layerMemory,
      Layer.succeed(CurrentPipelineStats, stats)
    ))
    const discovery = yield* makeDiscovery(options(startAt, maxBytesPerFileScan)).pipe(Effect.provide(services))
    yield* Effect.forkScoped(runProcessor({ group: "g", batchRecords: 100, batchBytes: 1 << 20, batchWaitMs: 50, decoder: { maxRecordBytes: 1 << 20 }, commitCursors: false }).pipe(Effect.provide(services)))
    let n = 0
    const write = (file: string, count: number, now: number) => {
      let text = ""
      for (let i = 0; i < count; i++) text += syntheticRecord("mysql-slow", `tok_0_${n++}`, now, 0, false)
      fleet.append(mysql.id, file, text, now)
    }
    const scan = Effect.andThen(discovery.scanOnce.pipe(Effect.provide(services)), TestClock.adjust(1100))
    const shipped = Effect.map(Ref.get(accepted), (rs) => rs.flatMap((r) => tokensOf(r)))
    const beforeRead = (hook: () => void) => (beforeNextRead = hook)
    return { fleet, write, scan, shipped, stats, accepted, beforeRead, listings }
  })

describe("discovery", () => {
  it.effect("reads a file never seen before from its beginning, from now on, or when written within `since`", () =>
    Effect.gen(function*() {
      const from = (startAt: StartAt) =>
        Effect.gen(function*() {
          yield* TestClock.setTime(10 * 3_600_000)
          const h = yield* harness(startAt)
          h.write(SLOW, 3, 10 * 3_600_000 - 2 * 3_600_000)
          h.write("slowquery/mysql-slowquery.log.2026-11-26.09", 2, 10 * 3_600_000 - 7 * 3_600_000)
          yield* h.scan
          h.write(SLOW, 1, 10 * 3_600_000)
          yield* h.scan
          yield* h.scan
          yield* h.scan
          return (yield* h.shipped).sort()
        }).pipe(Effect.scoped)
      assert.deepStrictEqual(yield* from({ _tag: "beginning" }), ["tok_0_0", "tok_0_1", "tok_0_2", "tok_0_3", "tok_0_4", "tok_0_5"])
      assert.deepStrictEqual(yield* from({ _tag: "now" }), ["tok_0_5"])
      assert.deepStrictEqual(yield* from({ _tag: "since", ms: 5 * 3_600_000 }), ["tok_0_0", "tok_0_1", "tok_0_2", "tok_0_5"])
    }))

  it.effect("follows a rename rotation whose new generation grew past the old offset between two scans", () =>
    Effect.gen(function*() {
      const h = yield* harness({ _tag: "beginning" })
      h.write(SLOW, 2, 0)
      yield* h.scan
      h.write(SLOW, 1, 1000)
      h.fleet.rotateByRename(mysql.id, SLOW, `${SLOW}.2026-11-26.09`, 1500)
      h.write(SLOW, 6, 2000) // the new generation is already longer than the old one was
      for (let i = 0; i < 5; i++) yield* h.scan
      const records = yield* Ref.get(h.accepted)
      const tokens = records.flatMap((r) => tokensOf(r))
      assert.deepStrictEqual([...tokens].sort(), Array.from({ length: 9 }, (_, i) => `tok_0_${i}`).sort())
      assert.strictEqual(new Set(records.map((r) => r.record_id)).size, records.length)
      const generationOf = (t: string) => records.find((r) => tokensOf(r).includes(t))!.generation
      assert.deepStrictEqual([generationOf("tok_0_0"), generationOf("tok_0_2"), generationOf("tok_0_3")], [0, 0, 1])
    }).pipe(Effect.scoped))

  it.effect("a rename between the listing and the read: the new generation's bytes are not shipped as the old one's", () =>
    Effect.gen(function*() {
      const h = yield* harness({ _tag: "beginning" })
      h.write(SLOW, 1, 0)
      h.beforeRead(() => {
        h.fleet.rotateByRename(mysql.id, SLOW, `${SLOW}.2026-11-26.09`, 500)
        h.write(SLOW, 2, 600)
      })
      for (let i = 0; i < 4; i++) yield* h.scan
      const records = yield* Ref.get(h.accepted)
      const generationOf = new Map(records.flatMap((r) => tokensOf(r).map((t) => [t, r.generation] as const)))
      assert.deepStrictEqual(records.flatMap((r) => tokensOf(r)).sort(), ["tok_0_0", "tok_0_1", "tok_0_2"])
      assert.deepStrictEqual([generationOf.get("tok_0_0"), generationOf.get("tok_0_1"), generationOf.get("tok_0_2")], [0, 1, 1])
      assert.strictEqual(h.stats.readsRotatedAway, 1)
    }).pipe(Effect.scoped))

  it.effect("what was read from an instance's active renamed-rotated files is confirmed by one listing per scan, not one per file", () =>
    Effect.gen(function*() {
      const h = yield* harness({ _tag: "beginning" })
      h.write(SLOW, 3, 0)
      h.write("general/mysql-general.log", 2, 0)
      h.write("error/mysql-error-running.log", 1, 0)
      yield* h.scan
      assert.strictEqual(h.listings.count, 2)
      yield* h.scan
      assert.strictEqual(h.listings.count, 3, "a scan with nothing new to read makes no confirming listing")
      assert.strictEqual((yield* h.shipped).length, 6)
      assert.strictEqual(h.stats.readsRotatedAway, 0)
    }).pipe(Effect.scoped))

  it.effect("reports a file that expired before it was fully read as a gap, with the bytes lost", () =>
    Effect.gen(function*() {
      // One chunk of the complete download (64 KiB) per file per scan: a long closed file takes several scans.
      const h = yield* harness({ _tag: "beginning" }, 1)
      const old = "slowquery/mysql-slowquery.log.2026-11-26.08"
      h.write(old, 600, 0)
      h.write(SLOW, 1, 0)
      yield* h.scan
      const size = h.fleet.files(mysql.id)!.find((f) => f.name === old)!.size
      assert.strictEqual(h.stats.gaps, 0)
      h.fleet.expire(mysql.id, old)
      yield* h.scan
      assert.strictEqual(h.stats.gaps, 1)
      assert.isTrue(h.stats.bytesLost > 0 && h.stats.bytesLost < size, `lost ${h.stats.bytesLost} of ${size}`)
      assert.strictEqual(h.stats.bytesLost, size - h.stats.bytesDownloaded + h.fleet.files(mysql.id)!.find((f) => f.name === SLOW)!.size)
    }).pipe(Effect.scoped))

  it.effect("a replica that stops lets go of its instances at once, its cursors written", () =>
    Effect.gen(function*() {
      const fleet = new SimulatedFleet()
      fleet.addInstance(mysql)
      fleet.append(mysql.id, SLOW, syntheticRecord("mysql-slow", "tok_0_0", 0, 0, false), 0)
      const services = yield* Layer.build(Layer.mergeAll(
        RdsLogs.layerMemory(fleet),
        LogBus.layerMemoryShared(new MemoryBus(2, 1 << 20)),
        Cursors.layerMemory,
        Leases.layerMemory
      ))
      const replica = yield* Effect.forkChild(Effect.gen(function*() {
        const discovery = yield* makeDiscovery({ ...options({ _tag: "beginning" }), takeAll: false, cursorWriteIntervalMs: 60_000, cursorWriteBytes: 1 << 30 })
        return yield* discovery.run
      }).pipe(Effect.scoped, Effect.provide(services)))
      yield* TestClock.adjust(100)
      const leases = yield* Effect.provide(Effect.gen(function*() { return yield* Leases }), services)
      const cursors = yield* Effect.provide(Effect.gen(function*() { return yield* Cursors }), services)
      const firstWrite = (yield* cursors.list(mysql.id))[0].offset
      // More progress within the write interval: coalescing leaves this cursor unwritten until the hand-over.
      fleet.append(mysql.id, SLOW, syntheticRecord("mysql-slow", "tok_0_1", 1000, 0, false), 1000)
      yield* TestClock.adjust(1100)
      assert.strictEqual((yield* cursors.list(mysql.id))[0].offset, firstWrite)
      const held = (yield* leases.list).filter((l) => l.owner === "solo" && l.expiresAt > 0)
      assert.deepStrictEqual(held.map((l) => l.instance).sort(), ["my-1", "~replica/solo"])
      yield* Fiber.interrupt(replica)
      assert.deepStrictEqual((yield* leases.list).filter((l) => l.expiresAt > 0), [])
      const stored = yield* cursors.list(mysql.id)
      assert.strictEqual(stored[0].offset, fleet.files(mysql.id)![0].size, "the cursor written at the hand-over")
    }).pipe(Effect.scoped))

  it.effect("while the RDS API cannot be reached, says so in the stats readiness reads, and forgets it once a scan completes", () =>
    Effect.gen(function*() {
      const fleet = new SimulatedFleet()
      fleet.addInstance(mysql)
      const stats = new PipelineStats()
      const down = { on: true }
      const rds = Layer.effect(RdsLogs, Effect.map(Effect.service(RdsLogs), (inner) =>
        RdsLogs.of({
          ...inner,
          listInstances: Effect.suspend(() =>
            down.on ? Effect.fail(new RdsError({ reason: new RdsUnavailable({ message: "connect ECONNREFUSED 127.0.0.1:1" }) })) : inner.listInstances)
        }))).pipe(Layer.provide(RdsLogs.layerMemory(fleet)))
      const services = yield* Layer.build(Layer.mergeAll(
        rds,
        LogBus.layerMemoryShared(new MemoryBus(2, 1 << 20)),
        Cursors.layerMemory,
        Leases.layerMemory,
        Layer.succeed(CurrentPipelineStats, stats)
      ))
      const discovery = yield* makeDiscovery(options({ _tag: "beginning" })).pipe(Effect.provide(services))
      const scanning = yield* Effect.forkChild(discovery.scanOnce.pipe(Effect.provide(services)))
      yield* TestClock.adjust(5000)
      assert.include(stats.waitingFor, "ECONNREFUSED 127.0.0.1:1")
      assert.strictEqual(stats.scans, 0)
      down.on = false
      yield* TestClock.adjust(60_000)
      yield* Fiber.join(scanning)
      assert.strictEqual(stats.scans, 1)
      assert.strictEqual(stats.waitingFor, "")
    }))
})
