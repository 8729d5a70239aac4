/**
 * `Leases` in DynamoDB, with the semantics of `Leases.layerMemory`: a free or expired lease is taken with the next
 * version (the fencing token), a live lease of the same owner is renewed at its version, a live lease of another
 * owner is left alone. A takeover is an optimistic write conditional on the exact item that was read, so two
 * replicas racing for one expired lease cannot both win.
 *
 * Expiry compares `expiresAt` with the local clock of whoever looks: replicas' clocks must agree to well within a
 * lease period (NTP on EKS nodes does).
 */
import {
  type AttributeValue,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand
} from "@aws-sdk/client-dynamodb"
import { Clock, Effect, Layer } from "effect"
import { type Lease, leaseLost, Leases, type StateError } from "@aurora-logs/core"
import { DynamoState, LEASES_INDEX, storeUnavailable } from "./DynamoState.ts"

const leaseKey = (instance: string): Record<string, AttributeValue> => ({ pk: { S: instance }, sk: { S: "lease" } })
const num = (n: number): AttributeValue => ({ N: String(n) })

const NAMES = { "#owner": "owner", "#version": "version", "#expiresAt": "expiresAt" }

const fromItem = (item: Record<string, AttributeValue>): Lease => ({
  instance: item.pk?.S ?? "",
  owner: item.owner?.S ?? "",
  version: Number(item.version?.N ?? 0),
  expiresAt: Number(item.expiresAt?.N ?? 0)
})

const isConditionFailed = (e: unknown) => (e as { name?: string })?.name === "ConditionalCheckFailedException"

class Raced {
  readonly _tag = "Raced"
}

/** Tries of one acquire when another replica wrote the lease between our read and our write. */
const ACQUIRE_TRIES = 3

export const make = Effect.gen(function*() {
  const { client, table, ttlAt } = yield* DynamoState

  const send = <A>(operation: string, run: () => Promise<A>): Effect.Effect<A, StateError | Raced> =>
    Effect.tryPromise({ try: run, catch: (e) => (isConditionFailed(e) ? new Raced() : storeUnavailable(operation, e)) })

  const read = (instance: string) =>
    Effect.map(
      send("GetItem", () => client.send(new GetItemCommand({ TableName: table, Key: leaseKey(instance), ConsistentRead: true }))),
      (answer) => (answer.Item === undefined ? undefined : fromItem(answer.Item))
    )

  const tryAcquire = (instance: string, owner: string, ttlMs: number) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const current = yield* read(instance)
      if (current !== undefined && current.owner !== owner && current.expiresAt > now) return undefined
      const version = current === undefined
        ? 1
        : current.owner === owner && current.expiresAt > now
        ? current.version
        : current.version + 1
      const lease: Lease = { instance, owner, version, expiresAt: now + ttlMs }
      yield* send("PutItem", () =>
        client.send(new PutItemCommand({
          TableName: table,
          Item: {
            ...leaseKey(instance),
            kind: { S: "lease" },
            owner: { S: owner },
            version: num(version),
            expiresAt: num(lease.expiresAt),
            ttl: num(ttlAt(lease.expiresAt))
          },
          ...(current === undefined
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
              ConditionExpression: "#owner = :owner AND #version = :version AND #expiresAt = :expiresAt",
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: {
                ":owner": { S: current.owner },
                ":version": num(current.version),
                ":expiresAt": num(current.expiresAt)
              }
            })
        })))
      return lease
    })

  return Leases.of({
    acquire: Effect.fn("Leases.acquire")(function*(instance: string, owner: string, ttlMs: number) {
      for (let attempt = 1; attempt <= ACQUIRE_TRIES; attempt++) {
        const result = yield* tryAcquire(instance, owner, ttlMs).pipe(
          Effect.map((lease) => ({ lease })),
          Effect.catchIf((e): e is Raced => e instanceof Raced, () => Effect.succeed(undefined))
        )
        if (result !== undefined) return result.lease
      }
      return undefined
    }),
    renew: Effect.fn("Leases.renew")(function*(lease: Lease, ttlMs: number) {
      const now = yield* Clock.currentTimeMillis
      const expiresAt = now + ttlMs
      yield* send("UpdateItem", () =>
        client.send(new UpdateItemCommand({
          TableName: table,
          Key: leaseKey(lease.instance),
          UpdateExpression: "SET #expiresAt = :expiresAt, #ttl = :ttl",
          ConditionExpression: "#owner = :owner AND #version = :version AND #expiresAt > :now",
          ExpressionAttributeNames: { ...NAMES, "#ttl": "ttl" },
          ExpressionAttributeValues: {
            ":expiresAt": num(expiresAt),
            ":ttl": num(ttlAt(expiresAt)),
            ":owner": { S: lease.owner },
            ":version": num(lease.version),
            ":now": num(now)
          }
        }))).pipe(Effect.catchIf((e): e is Raced => e instanceof Raced, () => Effect.fail(leaseLost(lease.instance))))
      return { ...lease, expiresAt }
    }),
    release: (lease: Lease) =>
      send("UpdateItem", () =>
        client.send(new UpdateItemCommand({
          TableName: table,
          Key: leaseKey(lease.instance),
          UpdateExpression: "SET #expiresAt = :zero",
          ConditionExpression: "#owner = :owner AND #version = :version",
          ExpressionAttributeNames: NAMES,
          ExpressionAttributeValues: { ":zero": num(0), ":owner": { S: lease.owner }, ":version": num(lease.version) }
        }))).pipe(
          Effect.asVoid,
          // Someone else holds it now: there is nothing of ours to release.
          Effect.catchIf((e): e is Raced => e instanceof Raced, () => Effect.void),
          Effect.withSpan("Leases.release")
        ),
    list: Effect.gen(function*() {
      const leases: Array<Lease> = []
      let start: Record<string, AttributeValue> | undefined
      do {
        const page = yield* send("Query", () =>
          client.send(new QueryCommand({
            TableName: table,
            IndexName: LEASES_INDEX,
            KeyConditionExpression: "#kind = :kind",
            ExpressionAttributeNames: { "#kind": "kind" },
            ExpressionAttributeValues: { ":kind": { S: "lease" } },
            ExclusiveStartKey: start
          }))).pipe(Effect.catchIf((e): e is Raced => e instanceof Raced, (e) => Effect.die(e)))
        for (const item of page.Items ?? []) leases.push(fromItem(item))
        start = page.LastEvaluatedKey
      } while (start !== undefined)
      return leases as ReadonlyArray<Lease>
    }).pipe(Effect.withSpan("Leases.list"))
  })
})

/** Needs `DynamoState`. */
export const layer: Layer.Layer<Leases, never, DynamoState> = Layer.effect(Leases, make)

/** With `DynamoState.layerConfig` (`AURORA_LOGS_DYNAMODB_TABLE`, ...). */
export const layerConfig = layer.pipe(Layer.provide(DynamoState.layerConfig))
