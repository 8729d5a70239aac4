/**
 * The layers take AWS settings the standard SDK way, unchanged: `AWS_REGION`, the credential provider chain (here
 * its environment source) and `AWS_ENDPOINT_URL_RDS` / `AWS_ENDPOINT_URL_DYNAMODB`, the complete-file REST call
 * included; and our own settings through `Config` from the environment.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import { Cursors, Leases, RdsLogs, SimulatedFleet } from "@aurora-logs/core"
import * as Dynalite from "@aurora-logs/testkit/dynamo/Dynalite"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import * as AwsRdsLogs from "./AwsRdsLogs.ts"
import * as DynamoCursors from "./DynamoCursors.ts"
import * as DynamoLeases from "./DynamoLeases.ts"

const fleet = new SimulatedFleet()
let emulator: RdsEmulator | undefined
let dynalite: Dynalite.DynaliteServer | undefined
const saved = { ...process.env }

beforeAll(async () => {
  fleet.addInstance({ id: "pg-1", cluster: "orders", engine: "postgres", role: "writer", region: "eu-central-1", tags: {} })
  fleet.addInstance({ id: "pg-9", cluster: "scratch", engine: "postgres", role: "writer", region: "eu-central-1", tags: {} })
  fleet.append("pg-1", "error/postgresql.log.2026-11-26-10", "hello\n", 1)
  emulator = await RdsEmulator.start({ fleet, credentials: [{ accessKeyId: "AKIDENV", secretAccessKey: "env-secret" }] })
  dynalite = await Dynalite.start()
  Object.assign(process.env, {
    AWS_REGION: "eu-central-1",
    AWS_ACCESS_KEY_ID: "AKIDENV",
    AWS_SECRET_ACCESS_KEY: "env-secret",
    AWS_ENDPOINT_URL_RDS: emulator.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AURORA_LOGS_CLUSTERS_EXCLUDE: "scratch",
    AURORA_LOGS_DYNAMODB_TABLE: "settings-test",
    AURORA_LOGS_DYNAMODB_CREATE_TABLE: "true"
  })
})
afterAll(async () => {
  process.env = saved
  await emulator?.stop()
  await dynalite?.stop()
})

describe("AWS settings", () => {
  it.live("AwsRdsLogs.layerConfig reaches the endpoint of AWS_ENDPOINT_URL_RDS with the region and credentials of the environment", () =>
    Effect.gen(function*() {
      const rds = yield* RdsLogs
      const instances = yield* rds.listInstances
      assert.deepStrictEqual(instances.map((i) => [i.id, i.region]), [["pg-1", "eu-central-1"]])
      const bytes = yield* Stream.runCollect(rds.downloadComplete("pg-1", "error/postgresql.log.2026-11-26-10", 0))
      assert.strictEqual(Buffer.concat(bytes).toString("utf8"), "hello\n")
    }).pipe(Effect.provide(AwsRdsLogs.layerConfig)))

  it.live("the DynamoDB layers' layerConfig reach AWS_ENDPOINT_URL_DYNAMODB and create the table when asked", () =>
    Effect.gen(function*() {
      const leases = yield* Leases
      const cursors = yield* Cursors
      const lease = yield* leases.acquire("pg-1", "replica-a", 10_000)
      assert.strictEqual(lease?.version, 1)
      assert.deepStrictEqual(yield* cursors.list("pg-1"), [])
    }).pipe(Effect.provide(Layer.mergeAll(DynamoCursors.layerConfig, DynamoLeases.layerConfig))))
})
