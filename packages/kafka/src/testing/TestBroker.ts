/**
 * What the Kafka integration tests share: the broker address (`KAFKA_BROKERS`, default 127.0.0.1:9092), a check
 * that fails with a clear message when no broker answers (tests never skip), fresh topic and group names so test
 * files run in parallel, blocks to publish, and the repository's broker scripts for tests that restart a broker.
 */
import * as NodeChild from "node:child_process"
import * as NodeNet from "node:net"
import * as NodePath from "node:path"
import type { Block, Instance } from "@aurora-logs/core"
import { Duration, Effect } from "effect"
import { makeSettings, type KafkaSettings } from "../KafkaSettings.ts"

export const brokers = (): ReadonlyArray<string> =>
  (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()).filter((b) => b.length > 0)

export const reachable = (address: string, timeoutMs = 2000): Promise<boolean> =>
  new Promise((resolve) => {
    const [host, port] = [address.slice(0, address.lastIndexOf(":")), Number(address.slice(address.lastIndexOf(":") + 1))]
    const socket = NodeNet.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once("connect", () => done(true))
    socket.once("error", () => done(false))
  })

/** Fails (in CI and outside) when the broker is not there: a Kafka test never passes by not running. */
export const requireBroker = async (list: ReadonlyArray<string> = brokers()): Promise<void> => {
  for (const b of list) if (await reachable(b)) return
  throw new Error(`no Kafka broker answers at ${list.join(",")}: start it with pnpm kafka:start (or set KAFKA_BROKERS)`)
}

let counter = 0
export const uniqueName = (prefix: string): string =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`

export const testSettings = (overrides: Partial<KafkaSettings> = {}, list: ReadonlyArray<string> = brokers()): KafkaSettings => {
  const topic = overrides.topic ?? uniqueName("t")
  return makeSettings(list, {
    topic,
    deadLetterTopic: `${topic}.dlq`,
    partitions: 4,
    replication: 1,
    sessionTimeout: Duration.seconds(6),
    clientId: "aurora-logs-test",
    ...overrides
  })
}

export const source: Instance = { id: "pg-1", cluster: "c-1", engine: "postgres", role: "writer", region: "eu-west-1", tags: { team: "db" } }

const encoder = new TextEncoder()

/** Block number `seq` of file `file`: its offset is `seq * 100`, its text names both. */
export const blockOf = (file: string, seq: number, size = 60): Block => {
  const line = `2026-11-26 10:00:00 UTC:10.0.0.1(5432):app@db:[42]:LOG:  ${file} block ${seq} `
  return {
    instance: source.id,
    file,
    generation: 0,
    source,
    format: "postgres",
    offset: seq * 100,
    data: encoder.encode(line.padEnd(size, "x") + "\n"),
    partial: false,
    continuation: false,
    fence: 1
  }
}

export const seqOf = (block: Block): number => block.offset / 100

const REPO = NodePath.resolve(import.meta.dirname, "../../../..")

/** Runs scripts/kafka/<name>.sh with extra environment; fails with the script's output. */
export const script = (name: "start" | "stop", env: Readonly<Record<string, string>>, args: ReadonlyArray<string> = []) =>
  Effect.callback<void, Error>((resume) => {
    const child = NodeChild.execFile("bash", [NodePath.join(REPO, "scripts/kafka", `${name}.sh`), ...args], {
      env: { ...process.env, ...env },
      timeout: 150_000
    }, (error, stdout, stderr) => {
      resume(error === null ? Effect.void : Effect.fail(new Error(`${name}.sh failed: ${error.message}\n${stdout}\n${stderr}`)))
    })
    return Effect.sync(() => child.kill())
  })

/** Polls `check` until it holds or the deadline passes (integration tests wait on conditions, never on sleeps). */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, what: string, timeout: Duration.Input = "30 seconds") =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(Duration.fromInputUnsafe(timeout))
    while (!(yield* check)) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep("100 millis")
    }
  })
