/**
 * The DynamoDB table that holds cursors and leases: its definition, the client, and create-if-missing for tests
 * and development.
 *
 * One table, two item kinds, both keyed by instance so an instance's state is one partition:
 * - lease:  pk = instance, sk = "lease"; owner, version (the fencing token), expiresAt (epoch ms), and
 *           kind = "lease", the key of the sparse `leases` index that lists every lease without a scan;
 * - cursor: pk = instance, sk = "cursor#<file>#<generation>"; the cursor fields, carry as binary, and fence.
 * Every item carries `ttl` (epoch seconds), pushed forward on each write, so the state of files and instances
 * that are gone disappears on its own. docs/aws.md has the design and its cost.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  UpdateTimeToLiveCommand
} from "@aws-sdk/client-dynamodb"
import { Config, Context, Duration, Effect, Layer } from "effect"
import { durationSetting, StateError, StoreUnavailable } from "@aurora-logs/core"

export const LEASES_INDEX = "leases"
export const TTL_ATTRIBUTE = "ttl"

/** The CreateTable input; deploy/dynamodb/table.json is this for the default table name. */
export const tableDefinition = (tableName: string) =>
  ({
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [
      { AttributeName: "pk", AttributeType: "S" },
      { AttributeName: "sk", AttributeType: "S" },
      { AttributeName: "kind", AttributeType: "S" }
    ],
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" }
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEASES_INDEX,
        KeySchema: [
          { AttributeName: "kind", KeyType: "HASH" },
          { AttributeName: "pk", KeyType: "RANGE" }
        ],
        Projection: { ProjectionType: "ALL" }
      }
    ]
  }) satisfies CreateTableCommandInput

export interface DynamoStateOptions {
  /** Passed to `new DynamoDBClient(...)`: tests set `endpoint`, `region`, `credentials`. */
  readonly client?: DynamoDBClientConfig
  readonly table: string
  /** Create the table (and wait for it) when it does not exist: tests and development only. */
  readonly createIfMissing?: boolean
  /** How long an item outlives its last write. Must exceed the longest log retention of the fleet. */
  readonly itemTtl?: Duration.Input
}

export const storeUnavailable = (operation: string, error: unknown) =>
  new StateError({
    reason: new StoreUnavailable({
      message: `DynamoDB ${operation}: ${(error as { name?: string })?.name ?? "Error"}: ${(error as { message?: string })?.message ?? String(error)}`
    })
  })

export class DynamoState extends Context.Service<DynamoState, {
  readonly client: DynamoDBClient
  readonly table: string
  /** The `ttl` attribute value for an item written at `nowMs`. */
  readonly ttlAt: (nowMs: number) => number
}>()("aurora-logs/DynamoState") {
  static readonly layer = (options: DynamoStateOptions) => Layer.effect(DynamoState, make(options))

  /**
   * `AURORA_LOGS_DYNAMODB_TABLE` (default `aurora-logs-state`), `AURORA_LOGS_DYNAMODB_CREATE_TABLE` (default false),
   * `AURORA_LOGS_DYNAMODB_ITEM_TTL` (default 30 days). Region, credentials and `AWS_ENDPOINT_URL_DYNAMODB` are the SDK's.
   */
  static readonly layerConfig = Layer.unwrap(
    Effect.map(
      Config.all({
        table: Config.String("AURORA_LOGS_DYNAMODB_TABLE").pipe(Config.withDefault("aurora-logs-state")),
        createIfMissing: Config.Boolean("AURORA_LOGS_DYNAMODB_CREATE_TABLE").pipe(Config.withDefault(false)),
        itemTtl: durationSetting("AURORA_LOGS_DYNAMODB_ITEM_TTL").pipe(Config.withDefault(Duration.days(30)))
      }),
      DynamoState.layer
    )
  )
}

const make = (options: DynamoStateOptions) =>
  Effect.gen(function*() {
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => new DynamoDBClient({ ...options.client })),
      (c) => Effect.sync(() => c.destroy())
    )
    if (options.createIfMissing === true) yield* createIfMissing(client, options.table)
    const ttlMs = Duration.toMillis(Duration.fromInputUnsafe(options.itemTtl ?? Duration.days(30)))
    return DynamoState.of({ client, table: options.table, ttlAt: (nowMs) => Math.floor((nowMs + ttlMs) / 1000) })
  })

const createIfMissing = (client: DynamoDBClient, table: string) =>
  Effect.gen(function*() {
    const status = () =>
      Effect.tryPromise({
        try: () => client.send(new DescribeTableCommand({ TableName: table })).then((d) => d.Table?.TableStatus),
        catch: (e) => e
      }).pipe(Effect.catchIf((e) => (e as { name?: string })?.name === "ResourceNotFoundException", () => Effect.succeed(undefined)))
    if ((yield* status()) === undefined) {
      yield* Effect.tryPromise({ try: () => client.send(new CreateTableCommand(tableDefinition(table))), catch: (e) => e }).pipe(
        // Another process created it first.
        Effect.catchIf((e) => (e as { name?: string })?.name === "ResourceInUseException", () => Effect.void)
      )
    }
    // Table creation is outside the program's clock: poll on real time, so this also works under a TestClock.
    const realPause = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 100)))
    yield* status().pipe(
      Effect.flatMap((s) => (s === "ACTIVE" ? Effect.void : Effect.andThen(realPause, Effect.fail(`table ${table} is ${s ?? "missing"}`)))),
      Effect.retry({ times: 600 })
    )
    // TTL is an optional nicety here (dynalite does not implement it); deploy/dynamodb sets it for real tables.
    yield* Effect.tryPromise(() =>
      client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }))
    ).pipe(Effect.ignore)
  }).pipe(Effect.mapError((e) => storeUnavailable("CreateTable", e)), Effect.orDie)
