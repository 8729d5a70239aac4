/**
 * Who tails which instance. A lease is held until its deadline and renewed by heartbeat; a takeover after expiry
 * bumps the version, which is the fencing token every cursor write of the new holder carries.
 */
import { Clock, Context, Effect, Layer, Ref } from "effect"
import { leaseLost, type StateError } from "./StateError.ts"

export interface Lease {
  readonly instance: string
  readonly owner: string
  readonly version: number
  /** Epoch ms after which the lease may be taken over. */
  readonly expiresAt: number
}

export class Leases extends Context.Service<Leases, {
  /** Takes the lease when it is free or expired (a new version), or renews it when `owner` holds it. */
  readonly acquire: (instance: string, owner: string, ttlMs: number) => Effect.Effect<Lease | undefined, StateError>
  /** Extends a held lease; fails with LeaseLost when another owner or version holds it now. */
  readonly renew: (lease: Lease, ttlMs: number) => Effect.Effect<Lease, StateError>
  readonly release: (lease: Lease) => Effect.Effect<void, StateError>
  readonly list: Effect.Effect<ReadonlyArray<Lease>, StateError>
}>()("aurora-logs/Leases") {
  static readonly layerMemory = Layer.effect(
    Leases,
    Effect.gen(function*() {
      const table = yield* Ref.make<ReadonlyMap<string, Lease>>(new Map())
      const write = (lease: Lease) => Ref.update(table, (m) => new Map(m).set(lease.instance, lease))
      return Leases.of({
        acquire: Effect.fnUntraced(function*(instance, owner, ttlMs) {
          const now = yield* Clock.currentTimeMillis
          const current = (yield* Ref.get(table)).get(instance)
          if (current !== undefined && current.owner !== owner && current.expiresAt > now) return undefined
          const lease: Lease = {
            instance,
            owner,
            version: current === undefined ? 1 : current.owner === owner && current.expiresAt > now ? current.version : current.version + 1,
            expiresAt: now + ttlMs
          }
          yield* write(lease)
          return lease
        }),
        renew: Effect.fnUntraced(function*(lease, ttlMs) {
          const now = yield* Clock.currentTimeMillis
          const current = (yield* Ref.get(table)).get(lease.instance)
          if (current === undefined || current.owner !== lease.owner || current.version !== lease.version || current.expiresAt <= now) {
            return yield* leaseLost(lease.instance)
          }
          const renewed = { ...lease, expiresAt: now + ttlMs }
          yield* write(renewed)
          return renewed
        }),
        release: (lease) =>
          Ref.update(table, (m) => {
            const current = m.get(lease.instance)
            if (current?.owner !== lease.owner || current.version !== lease.version) return m
            return new Map(m).set(lease.instance, { ...current, expiresAt: 0 })
          }),
        list: Effect.map(Ref.get(table), (m) => Array.from(m.values()))
      })
    })
  )
}
