/**
 * Discovery replicas sharing a fleet through the real AWS layers: the RDS API emulator behind @aws-sdk/client-rds,
 * and dynalite behind @aws-sdk/client-dynamodb for cursors and leases. Three replicas share 30 instances (each
 * takes about its share), one is killed mid-run (its instances move to the others within two lease periods), and
 * every record written while all this happens is delivered, in order per file, with duplicates only from work that
 * was in flight at the kill.
 */
import { ApiBudget, AwsRdsLogs, DynamoCursors, DynamoLeases, DynamoState } from "@aurora-logs/aws"
import {
  Cursors,
  DeadLetters,
  type DeadLetter,
  Leases,
  LogBus,
  type LogRecord,
  LogSink,
  makeDiscovery,
  MemoryBus,
  PRESENCE,
  runProcessor,
  tokensOf
} from "@aurora-logs/core"
import { checkDelivery, InFlightWindows } from "@aurora-logs/core/pipeline/testing/DeliveryCheck"
import * as Dynalite from "@aurora-logs/testkit/dynamo/Dynalite"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import { Effect, Fiber, Layer, Ref } from "effect"
import { describe, expect, it } from "vitest"
import { TokenFleet } from "../support/TokenFleet.ts"

const LEASE_TTL = 5000
const INSTANCES = 30

const waitUntil = <R>(what: string, condition: Effect.Effect<boolean, never, R>, deadlineMs: number) =>
  Effect.gen(function*() {
    const until = Date.now() + deadlineMs
    while (!(yield* condition)) {
      if (Date.now() > until) return yield* Effect.die(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`))
      yield* Effect.sleep(100)
    }
  })

describe("three discovery replicas on the AWS layers", () => {
  it("share 30 instances, survive the kill of one, and deliver every record", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const tokens = new TokenFleet({ instances: INSTANCES, clusters: 5, readers: true, largeEvery: 7, multilineEvery: 3 })
      const { fleet, instances, written } = tokens
      const write = (k: number, count: number) => tokens.write(k, count)
      for (let k = 0; k < INSTANCES; k++) write(k, 5)

      const dynalite = yield* Dynalite.scoped
      const emulator = yield* RdsEmulator.scoped({ fleet })
      const state = Layer.mergeAll(DynamoCursors.layer, DynamoLeases.layer).pipe(
        Layer.provide(DynamoState.layer({ client: Dynalite.clientConfig(dynalite), table: "aurora-logs-state", createIfMissing: true }))
      )
      const rds = AwsRdsLogs.layer({
        client: { endpoint: emulator.url, region: "eu-west-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } }
      }).pipe(Layer.provide(ApiBudget.layerUnlimited))
      const accepted = yield* Ref.make<ReadonlyArray<LogRecord>>([])
      const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
      const services = yield* Layer.build(Layer.mergeAll(
        rds,
        state,
        LogBus.layerMemoryShared(new MemoryBus(8, 64 << 20)),
        LogSink.layerMemory(accepted),
        DeadLetters.layerMemory(letters)
      ))
      const replica = (owner: string) =>
        Effect.forkChild(Effect.gen(function*() {
          const discovery = yield* makeDiscovery({
            owner,
            scanIntervalMs: 300,
            leaseTtlMs: LEASE_TTL,
            limits: { maxBlockBytes: 8192, carryCap: 4096 },
            flushAfterMs: 1000,
            startAt: { _tag: "beginning" },
            concurrency: 4,
            maxBytesPerFileScan: 1 << 20,
            commit: "afterPublish",
            takeAll: false
          })
          return yield* discovery.run
        }).pipe(Effect.scoped, Effect.provide(services)))
      const held = Effect.gen(function*() {
        const now = Date.now()
        const leases = yield* (yield* Leases).list
        const byOwner = new Map<string, number>()
        for (const l of leases) if (l.expiresAt > now && !l.instance.startsWith(PRESENCE)) byOwner.set(l.owner, (byOwner.get(l.owner) ?? 0) + 1)
        return byOwner
      }).pipe(Effect.provide(services), Effect.orDie)

      yield* Effect.forkChild(runProcessor({
        group: "processor",
        batchRecords: 200,
        batchBytes: 1 << 20,
        batchWaitMs: 100,
        decoder: { maxRecordBytes: 1 << 20 },
        commitCursors: false
      }).pipe(Effect.scoped, Effect.provide(services)))
      const replicas = [yield* replica("a"), yield* replica("b")]
      const writer = yield* Effect.forkChild(Effect.forever(Effect.gen(function*() {
        write(Math.floor(Math.random() * INSTANCES), 1 + Math.floor(Math.random() * 3))
        yield* Effect.sleep(20)
      })))

      yield* waitUntil("a and b to share the instances", Effect.map(held, (m) =>
        (m.get("a") ?? 0) + (m.get("b") ?? 0) === INSTANCES && (m.get("a") ?? 0) >= 13 && (m.get("b") ?? 0) >= 13), 4 * LEASE_TTL)
      const joinedAt = Date.now()
      replicas.push(yield* replica("c"))
      yield* waitUntil("each replica to hold about a third of the instances", Effect.map(held, (m) =>
        ["a", "b", "c"].every((o) => (m.get(o) ?? 0) >= 8 && (m.get(o) ?? 0) <= 12) &&
        Array.from(m.values()).reduce((x, y) => x + y, 0) === INSTANCES), 4 * LEASE_TTL)

      const joinedAfterMs = Date.now() - joinedAt
      yield* Fiber.interrupt(replicas[1])
      const inFlight = new InFlightWindows()
      const stored = yield* Effect.gen(function*() {
        const cursors = yield* Cursors
        return (yield* Effect.forEach(instances, (i) => cursors.list(i.id))).flat()
      }).pipe(Effect.provide(services), Effect.orDie)
      inFlight.addAfterCursors(stored)
      const killedAt = Date.now()
      yield* waitUntil("the killed replica's instances to move to the others", Effect.map(held, (m) =>
        (m.get("a") ?? 0) + (m.get("c") ?? 0) === INSTANCES), 4 * LEASE_TTL)
      const movedAfterMs = Date.now() - killedAt

      yield* Effect.sleep(1000)
      yield* Fiber.interrupt(writer)
      yield* waitUntil(`all ${written.length} records to be shipped`, Effect.map(Ref.get(accepted), (rs) => {
        const seen = new Set(rs.flatMap((r) => tokensOf(r)))
        return written.every((w) => seen.has(w.token))
      }), 60_000)
      checkDelivery(written, yield* Ref.get(accepted), inFlight, (r) => tokensOf(r))
      expect((yield* Ref.get(letters)).length).toBe(0)
      expect(joinedAfterMs, "a new replica gets its share within one lease period").toBeLessThanOrEqual(LEASE_TTL)
      expect(movedAfterMs, "a dead replica's instances move within two lease periods").toBeLessThanOrEqual(2 * LEASE_TTL)
    }))), 120_000)
})
