/**
 * The distributed deployment on one machine, for end-to-end tests: the RDS API emulator serving a fleet whose
 * files the test keeps writing (records carry unique tokens), dynalite for DynamoDB, the OpenObserve stand-in, a
 * Kafka broker, and `aurora-logs discovery` / `processor` started as real processes wired to them by the same
 * environment variables an operator sets.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { DynamoLeases, DynamoState } from "@aurora-logs/aws"
import { type Instance, type Lease, Leases, PRESENCE, type SimulatedFleet } from "@aurora-logs/core"
import type { Written } from "@aurora-logs/core/pipeline/testing/DeliveryCheck"
import * as Dynalite from "@aurora-logs/testkit/dynamo/Dynalite"
import { OpenObserveStandIn } from "@aurora-logs/testkit/openobserve/OpenObserveStandIn"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import { Effect, Layer } from "effect"
import { TokenFleet } from "../support/TokenFleet.ts"
import { type Running, startCli } from "./CliProcess.ts"

export interface Deployment {
  readonly fleet: SimulatedFleet
  readonly instances: ReadonlyArray<Instance>
  readonly written: Array<Written>
  /** Appends `count` token-carrying records to instance `k`'s file. */
  readonly write: (k: number, count: number) => void
  readonly standIn: OpenObserveStandIn["Service"]
  readonly env: Readonly<Record<string, string>>
  readonly start: (command: "discovery" | "processor", name: string, extra?: Record<string, string>) => Running
  readonly running: Array<Running>
  /** The leases in the state table, as the replicas see them. */
  readonly leases: Effect.Effect<ReadonlyArray<Lease>>
}

const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`

export const deployment = (options: {
  readonly instances: number
  readonly brokers: string
  readonly leaseTtl: string
  /** The command's entry point (CliProcess' startCli): the sources unless said. */
  readonly main?: string
}) =>
  Effect.gen(function*() {
    const tokens = new TokenFleet({ instances: options.instances, clusters: 3, multilineEvery: 2 })
    const { fleet, instances, written } = tokens
    const write = (k: number, count: number) => tokens.write(k, count)
    const emulator = yield* RdsEmulator.scoped({ fleet })
    const dynalite = yield* Dynalite.scoped
    const standIn = yield* Effect.provide(Effect.gen(function*() { return yield* OpenObserveStandIn }), yield* Layer.build(OpenObserveStandIn.layer()))
    const data = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-distributed-"))
    const env: Record<string, string> = {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_ENDPOINT_URL_RDS: emulator.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AURORA_LOGS_DYNAMODB_TABLE: unique("state"),
      AURORA_LOGS_DYNAMODB_CREATE_TABLE: "true",
      KAFKA_BROKERS: options.brokers,
      AURORA_LOGS_KAFKA_TOPIC: unique("blocks"),
      AURORA_LOGS_KAFKA_PARTITIONS: "6",
      AURORA_LOGS_KAFKA_REPLICATION: "1",
      AURORA_LOGS_KAFKA_GROUP: unique("processor"),
      AURORA_LOGS_KAFKA_SESSION_TIMEOUT: "6s",
      OPENOBSERVE_URL: standIn.url,
      OPENOBSERVE_USER: standIn.user,
      OPENOBSERVE_PASSWORD: standIn.password,
      AURORA_LOGS_DATA_DIR: data,
      AURORA_LOGS_HTTP_PORT: "0",
      AURORA_LOGS_START_AT: "beginning",
      AURORA_LOGS_SCAN_INTERVAL: "500 millis",
      AURORA_LOGS_LEASE_TTL: options.leaseTtl,
      AURORA_LOGS_FLUSH_AFTER: "1 second",
      AURORA_LOGS_BATCH_WAIT: "200 millis",
      AURORA_LOGS_CURSOR_WRITE_INTERVAL: "1 second"
    }
    const running: Array<Running> = []
    const start = (command: "discovery" | "processor", name: string, extra: Record<string, string> = {}) => {
      const p = startCli([command], { ...env, AURORA_LOGS_REPLICA_ID: name, ...extra }, options.main)
      running.push(p)
      return p
    }
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const p of running) {
          p.child.kill("SIGCONT")
          p.child.kill("SIGKILL")
        }
        NodeFs.rmSync(data, { recursive: true, force: true })
      }))
    const leaseStore = yield* Layer.build(DynamoLeases.layer.pipe(
      Layer.provide(DynamoState.layer({ client: Dynalite.clientConfig(dynalite), table: env.AURORA_LOGS_DYNAMODB_TABLE, createIfMissing: true }))
    ))
    const leases = Effect.gen(function*() {
      return (yield* (yield* Leases).list).filter((l) => !l.instance.startsWith(PRESENCE))
    }).pipe(Effect.provide(leaseStore), Effect.orDie)
    return { fleet, instances, written, write, standIn, env, start, running, leases } satisfies Deployment
  })

/** Instances held per owner right now. */
export const heldBy = (leases: ReadonlyArray<Lease>): Map<string, number> => {
  const now = Date.now()
  const m = new Map<string, number>()
  for (const l of leases) if (l.expiresAt > now) m.set(l.owner, (m.get(l.owner) ?? 0) + 1)
  return m
}

/** Polls until `condition` holds; fails with `what` (and the processes' output) at the deadline. */
export const eventually = (what: () => string, condition: Effect.Effect<boolean>, deadlineMs: number) =>
  Effect.gen(function*() {
    const until = Date.now() + deadlineMs
    while (!(yield* condition)) {
      if (Date.now() > until) return yield* Effect.die(new Error(`timed out after ${deadlineMs} ms waiting for ${what()}`))
      yield* Effect.sleep(200)
    }
  })

/** The tokens the stand-in accepted, each with the record ids it came under. */
export const acceptedTokens = (standIn: OpenObserveStandIn["Service"]) =>
  Effect.map(standIn.accepted(), (stored) => {
    const ids = new Map<string, Set<string>>()
    for (const s of stored) {
      for (const t of JSON.stringify(s.record).match(/tok_\d+_\d+/g) ?? []) {
        let set = ids.get(t)
        if (set === undefined) ids.set(t, (set = new Set()))
        set.add(String(s.record.record_id))
      }
    }
    return { ids, records: stored.length }
  })
