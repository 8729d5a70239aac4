/**
 * The distributed deployment under faults, as real processes: two discovery replicas and, at first, one
 * processor; a second processor joins while batches are in flight (a rebalance), then the first is killed with
 * SIGKILL mid-stream, and the Kafka broker is restarted once. Every record written meanwhile reaches OpenObserve
 * (the stand-in), each under a single record_id; copies of a record, if any, are identifiable by that id. The
 * broker here is the project's own, started on a port of its own so that restarting it disturbs no other suite.
 */
import { script } from "@aurora-logs/kafka/testing/TestBroker"
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { withDeadline } from "./CliProcess.ts"
import { acceptedTokens, deployment, eventually } from "./DistributedHarness.ts"

const PORT = "19292"
const BROKER = { KAFKA_PORT: PORT }
const INSTANCES = 6

describe("distributed deployment under faults", () => {
  it("delivers every record through a processor joining, a processor killed and a broker restart", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      yield* Effect.acquireRelease(script("start", BROKER), () => Effect.ignore(script("stop", BROKER, ["--wipe"])))
      const d = yield* deployment({ instances: INSTANCES, brokers: `127.0.0.1:${PORT}`, leaseTtl: "4 seconds" })
      for (let k = 0; k < INSTANCES; k++) d.write(k, 5)
      const output = () => d.running.map((p) => p.output().slice(-1500)).join("\n---\n")
      const writer = yield* Effect.forkChild(Effect.forever(Effect.andThen(
        Effect.sync(() => d.write(Math.floor(Math.random() * INSTANCES), 3)),
        Effect.sleep(40)
      )))
      const shipped = Effect.map(acceptedTokens(d.standIn), ({ ids }) => ids.size)

      d.start("discovery", "d1")
      d.start("discovery", "d2")
      const first = d.start("processor", "p1")
      yield* eventually(() => `records to reach OpenObserve\n${output()}`, Effect.map(shipped, (n) => n > 200), 90_000)
      d.start("processor", "p2")
      const before = yield* shipped
      yield* eventually(() => `shipping to go on while the group rebalances\n${output()}`, Effect.map(shipped, (n) => n > before + 500), 60_000)

      first.child.kill("SIGKILL")
      yield* script("stop", BROKER)
      yield* script("start", BROKER)
      const afterRestart = yield* shipped
      yield* eventually(() => `shipping to resume after the broker restart\n${output()}`, Effect.map(shipped, (n) => n > afterRestart + 200), 90_000)
      yield* Fiber.interrupt(writer)

      yield* eventually(() => `all ${d.written.length} records at OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) =>
        d.written.every((w) => ids.has(w.token))), 120_000)
      const { ids, records } = yield* acceptedTokens(d.standIn)
      for (const [token, recordIds] of ids) expect(recordIds.size, token).toBe(1)
      const duplicates = records - ids.size
      // Copies come only from work in flight at the kill and the restart: bounded, never a multiple of the stream.
      expect(duplicates).toBeLessThan(d.written.length / 2)
      const survivors = d.running.filter((p) => p !== first)
      for (const p of survivors) expect(p.child.exitCode, p.output().slice(-1000)).toBe(null)
      // A graceful stop: SIGTERM ends the in-flight work safely and the process exits 0.
      for (const p of survivors) p.child.kill("SIGTERM")
      for (const p of survivors) expect(yield* Effect.promise(() => withDeadline("a graceful stop", p.exited, 30_000)), p.output().slice(-1000)).toBe(0)
    }))), 300_000)
})
