/**
 * One contract, two stores: the same cases run against `Cursors.layerMemory`/`Leases.layerMemory` and against the
 * DynamoDB layers on dynalite, so the pipeline's tests on the memory layers hold for the real store, and the
 * memory layers are no stronger than DynamoDB's one-item conditions.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { type Cursor, Cursors, type Lease, Leases, type StateError } from "@aurora-logs/core"
import * as Dynalite from "@aurora-logs/testkit/dynamo/Dynalite"
import * as DynamoCursors from "./DynamoCursors.ts"
import * as DynamoLeases from "./DynamoLeases.ts"
import { DynamoState } from "./DynamoState.ts"

let server: Dynalite.DynaliteServer | undefined
beforeAll(async () => {
  server = await Dynalite.start()
})
afterAll(async () => {
  await server?.stop()
})

let tables = 0
const stores: ReadonlyArray<{ readonly name: string; readonly layer: () => Layer.Layer<Cursors | Leases> }> = [
  { name: "memory", layer: () => Layer.mergeAll(Cursors.layerMemory, Leases.layerMemory) },
  {
    name: "dynamodb (dynalite)",
    layer: () =>
      Layer.mergeAll(DynamoCursors.layer, DynamoLeases.layer).pipe(
        Layer.provide(DynamoState.layer({
          client: Dynalite.clientConfig(server as Dynalite.DynaliteServer),
          table: `state-${process.pid}-${++tables}`,
          createIfMissing: true
        }))
      )
  }
]

const TTL = 10_000

const cursor = (instance: string, file: string, offset: number, overrides: Partial<Cursor> = {}): Cursor => ({
  instance,
  file,
  generation: 1,
  readName: file,
  carryContinues: false,
  marker: `1:${offset}`,
  offset,
  carry: new Uint8Array([0, 255, 10, 13, 65]),
  size: offset + 100,
  lastWritten: 1_700_000_000_123,
  lastDataAt: 1_700_000_000_456,
  done: false,
  fence: 0,
  ...overrides
})

const reasonOf = <A>(effect: Effect.Effect<A, StateError>) => Effect.map(Effect.flip(effect), (e) => e.reason._tag)

for (const store of stores) {
  describe(`state store contract: ${store.name}`, () => {
    const run = <A, E>(program: Effect.Effect<A, E, Cursors | Leases>) =>
      Effect.provide(program, store.layer())

    it.effect("a free lease is taken at version 1; a live one is not taken by another owner; its owner renews it", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const a = yield* leases.acquire("pg-1", "a", TTL)
        assert.deepStrictEqual(a, { instance: "pg-1", owner: "a", version: 1, expiresAt: TTL })
        assert.isUndefined(yield* leases.acquire("pg-1", "b", TTL))
        yield* TestClock.adjust(5_000)
        const again = yield* leases.acquire("pg-1", "a", TTL)
        assert.deepStrictEqual(again, { instance: "pg-1", owner: "a", version: 1, expiresAt: 15_000 })
        const renewed = yield* leases.renew(again as Lease, TTL)
        assert.strictEqual(renewed.expiresAt, 15_000)
      })))

    it.effect("takeover after expiry bumps the version, and the old holder's renew fails", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const a = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        yield* TestClock.adjust(TTL + 1)
        const b = (yield* leases.acquire("pg-1", "b", TTL)) as Lease
        assert.strictEqual(b.version, 2)
        assert.strictEqual(b.owner, "b")
        assert.strictEqual(yield* reasonOf(leases.renew(a, TTL)), "LeaseLost")
        const renewed = yield* leases.renew(b, TTL)
        assert.strictEqual(renewed.version, 2)
      })))

    it.effect("a lease that expired cannot be renewed, even with nobody else holding it; retaking it bumps the version", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const a = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        yield* TestClock.adjust(TTL)
        assert.strictEqual(yield* reasonOf(leases.renew(a, TTL)), "LeaseLost")
        const again = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        assert.strictEqual(again.version, 2)
      })))

    it.effect("a released lease is free at once for another owner, at the next version; release by a loser is a no-op", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const a = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        yield* leases.release(a)
        const b = (yield* leases.acquire("pg-1", "b", TTL)) as Lease
        assert.strictEqual(b.version, 2)
        yield* leases.release(a)
        assert.isUndefined(yield* leases.acquire("pg-1", "c", TTL))
        yield* leases.acquire("pg-2", "c", TTL)
        const all = (yield* leases.list).map((l) => `${l.instance}:${l.owner}:${l.version}`).toSorted()
        assert.deepStrictEqual(all, ["pg-1:b:2", "pg-2:c:1"])
      })))

    it.effect("a cursor is stored whole (carry as bytes) with the writer's fence, per file generation", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const cursors = yield* Cursors
        const lease = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        const gen1 = cursor("pg-1", "slowquery/mysql-slowquery.log", 10)
        const gen2 = cursor("pg-1", "slowquery/mysql-slowquery.log", 3, { generation: 2, carry: new Uint8Array(0), done: true })
        yield* cursors.put(lease, gen1)
        yield* cursors.put(lease, gen2)
        yield* cursors.put((yield* leases.acquire("pg-2", "a", TTL)) as Lease, cursor("pg-2", "f", 1))
        assert.deepStrictEqual(yield* cursors.get(gen1), { ...gen1, fence: 1 })
        assert.deepStrictEqual(yield* cursors.get(gen2), { ...gen2, fence: 1 })
        assert.isUndefined(yield* cursors.get({ instance: "pg-1", file: "slowquery/mysql-slowquery.log", generation: 3 }))
        const listed = (yield* cursors.list("pg-1")).map((c) => `${c.file}#${c.generation}@${c.offset}`).toSorted()
        assert.deepStrictEqual(listed, ["slowquery/mysql-slowquery.log#1@10", "slowquery/mysql-slowquery.log#2@3"])
      })))

    it.effect("fencing: once the new holder wrote a cursor, the zombie with the older lease cannot move it", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const cursors = yield* Cursors
        const zombie = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        yield* cursors.put(zombie, cursor("pg-1", "f", 100))
        yield* TestClock.adjust(TTL + 1)
        const holder = (yield* leases.acquire("pg-1", "b", TTL)) as Lease
        yield* cursors.put(holder, cursor("pg-1", "f", 150))
        assert.strictEqual(yield* reasonOf(cursors.put(zombie, cursor("pg-1", "f", 900))), "LeaseLost")
        assert.strictEqual(yield* reasonOf(cursors.remove(zombie, cursor("pg-1", "f", 0))), "LeaseLost")
        const kept = yield* cursors.get({ instance: "pg-1", file: "f", generation: 1 })
        assert.strictEqual(kept?.offset, 150)
        assert.strictEqual(kept?.fence, 2)
      })))

    it.effect("the condition sees one item: a zombie can still write a cursor the new holder has not written (no stronger than DynamoDB)", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const cursors = yield* Cursors
        const zombie = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        yield* TestClock.adjust(TTL + 1)
        yield* leases.acquire("pg-1", "b", TTL)
        yield* cursors.put(zombie, cursor("pg-1", "untouched", 5))
        assert.strictEqual((yield* cursors.get({ instance: "pg-1", file: "untouched", generation: 1 }))?.fence, 1)
      })))

    it.effect("a cursor is refused under another instance's lease", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const cursors = yield* Cursors
        const lease = (yield* leases.acquire("pg-2", "a", TTL)) as Lease
        assert.strictEqual(yield* reasonOf(cursors.put(lease, cursor("pg-1", "f", 1))), "LeaseLost")
      })))

    it.effect("remove forgets a cursor; removing one that is not there is fine", () =>
      run(Effect.gen(function*() {
        const leases = yield* Leases
        const cursors = yield* Cursors
        const lease = (yield* leases.acquire("pg-1", "a", TTL)) as Lease
        const c = cursor("pg-1", "f", 1)
        yield* cursors.put(lease, c)
        yield* cursors.remove(lease, c)
        assert.isUndefined(yield* cursors.get(c))
        yield* cursors.remove(lease, c)
        assert.deepStrictEqual(yield* cursors.list("pg-1"), [])
      })))
  })
}
