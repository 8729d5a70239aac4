/**
 * `Cursors` in DynamoDB. Each write is one conditional PutItem on the cursor's own item: it succeeds while the
 * stored fence is not newer than the writer's lease version, and stores that version as the new fence. That is the
 * exact condition of `Cursors.layerMemory`, so the contract test runs the same cases against both.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand
} from "@aws-sdk/client-dynamodb"
import { Clock, Effect, Layer, Schema } from "effect"
import { Cursor, Cursors, type FileRef, leaseLost, type Lease, type StateError } from "@aurora-logs/core"
import { DynamoState, storeUnavailable } from "./DynamoState.ts"

export const cursorKey = (ref: FileRef): Record<string, AttributeValue> => ({
  pk: { S: ref.instance },
  sk: { S: `cursor#${ref.file}#${ref.generation}` }
})

const num = (n: number): AttributeValue => ({ N: String(n) })

/**
 * Every cursor field is stored as its own attribute, by its runtime type (the carry as binary), so a field added to
 * the core `Cursor` is stored without a change here; reading decodes through the `Cursor` schema.
 */
const toItem = (cursor: Cursor, fence: number, ttl: number): Record<string, AttributeValue> => {
  const item: Record<string, AttributeValue> = {}
  for (const [name, value] of Object.entries(cursor)) {
    if (typeof value === "number") item[name] = num(value)
    else if (typeof value === "string") item[name] = { S: value }
    else if (typeof value === "boolean") item[name] = { BOOL: value }
    else if (value instanceof Uint8Array) item[name] = { B: value }
  }
  return { ...item, ...cursorKey(cursor), fence: num(fence), ttl: num(ttl) }
}

const decodeCursor = Schema.decodeUnknownEffect(Cursor)

const fromItem = (item: Record<string, AttributeValue>) => {
  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(item)) {
    if (name === "pk" || name === "sk" || name === "ttl") continue
    if (value.N !== undefined) fields[name] = Number(value.N)
    else if (value.S !== undefined) fields[name] = value.S
    else if (value.BOOL !== undefined) fields[name] = value.BOOL
    else if (value.B !== undefined) fields[name] = value.B
  }
  // Items written before `readName` existed read under their own name.
  fields.readName ??= fields.file
  fields.carryContinues ??= false
  return decodeCursor(fields).pipe(
    Effect.mapError((e) => storeUnavailable("decode cursor", new Error(`${item.pk?.S}/${item.sk?.S}: ${e.message}`)))
  )
}

const isConditionFailed = (e: unknown) => (e as { name?: string })?.name === "ConditionalCheckFailedException"

/** The fence condition: the item is absent, or its fence is not newer than the writer's lease version. */
const FENCE_CONDITION = "attribute_not_exists(pk) OR #fence <= :version"

export const make = Effect.gen(function*() {
  const { client, table, ttlAt } = yield* DynamoState

  const send = <A>(operation: string, instance: string, run: () => Promise<A>): Effect.Effect<A, StateError> =>
    Effect.tryPromise({
      try: run,
      catch: (e) => (isConditionFailed(e) ? leaseLost(instance) : storeUnavailable(operation, e))
    })

  return Cursors.of({
    get: Effect.fn("Cursors.get")(function*(ref: FileRef) {
      const answer = yield* send("GetItem", ref.instance, () =>
        client.send(new GetItemCommand({ TableName: table, Key: cursorKey(ref), ConsistentRead: true })))
      return answer.Item === undefined ? undefined : yield* fromItem(answer.Item)
    }),
    list: Effect.fn("Cursors.list")(function*(instance: string) {
      const cursors: Array<Cursor> = []
      let start: Record<string, AttributeValue> | undefined
      do {
        const page = yield* send("Query", instance, () =>
          client.send(new QueryCommand({
            TableName: table,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues: { ":pk": { S: instance }, ":prefix": { S: "cursor#" } },
            ConsistentRead: true,
            ExclusiveStartKey: start
          })))
        for (const item of page.Items ?? []) cursors.push(yield* fromItem(item))
        start = page.LastEvaluatedKey
      } while (start !== undefined)
      return cursors as ReadonlyArray<Cursor>
    }),
    put: Effect.fn("Cursors.put")(function*(lease: Lease, cursor: Cursor) {
      if (lease.instance !== cursor.instance) return yield* leaseLost(cursor.instance)
      const now = yield* Clock.currentTimeMillis
      yield* send("PutItem", cursor.instance, () =>
        client.send(new PutItemCommand({
          TableName: table,
          Item: toItem(cursor, lease.version, ttlAt(now)),
          ConditionExpression: FENCE_CONDITION,
          ExpressionAttributeNames: { "#fence": "fence" },
          ExpressionAttributeValues: { ":version": num(lease.version) }
        })))
    }),
    remove: Effect.fn("Cursors.remove")(function*(lease: Lease, ref: FileRef) {
      yield* send("DeleteItem", ref.instance, () =>
        client.send(new DeleteItemCommand({
          TableName: table,
          Key: cursorKey(ref),
          ConditionExpression: FENCE_CONDITION,
          ExpressionAttributeNames: { "#fence": "fence" },
          ExpressionAttributeValues: { ":version": num(lease.version) }
        })))
    })
  })
})

/** Needs `DynamoState`. */
export const layer: Layer.Layer<Cursors, never, DynamoState> = Layer.effect(Cursors, make)

/** With `DynamoState.layerConfig` (`AURORA_LOGS_DYNAMODB_TABLE`, ...). */
export const layerConfig = layer.pipe(Layer.provide(DynamoState.layerConfig))
