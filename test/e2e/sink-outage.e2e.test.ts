/**
 * OpenObserve down for longer than the Kafka consumer session timeout (6 s here): the processor keeps its place in
 * the group (partitions paused while heartbeats go on, so no rebalance re-delivers anything), stays alive, and
 * once OpenObserve answers again every record arrives exactly once. Real processes, a real broker, the stand-in
 * answering 503 with Retry-After.
 */
import { StandInFault } from "@aurora-logs/testkit/openobserve/StandInFault"
import { Effect, Fiber } from "effect"
import { describe, expect, it } from "vitest"
import { acceptedTokens, deployment, eventually } from "./DistributedHarness.ts"

const BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092"
const INSTANCES = 4

describe("an OpenObserve outage longer than the consumer session timeout", () => {
  it("evicts no processor and loses nothing", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const d = yield* deployment({ instances: INSTANCES, brokers: BROKERS, leaseTtl: "10 seconds" })
      for (let k = 0; k < INSTANCES; k++) d.write(k, 5)
      const output = () => d.running.map((p) => p.output().slice(-1500)).join("\n---\n")
      const writer = yield* Effect.forkChild(Effect.forever(Effect.andThen(
        Effect.sync(() => d.write(Math.floor(Math.random() * INSTANCES), 2)),
        Effect.sleep(50)
      )))
      d.start("discovery", "d1")
      // A short backoff ceiling and breaker pause: the test waits on recovery, not on production-sized pauses.
      const processor = d.start("processor", "p1", { OPENOBSERVE_RETRY_MAX_DELAY: "2s", OPENOBSERVE_BREAKER_MAX_OPEN: "2s" })
      yield* eventually(() => `records to reach OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) => ids.size > 100), 90_000)

      // Down for 10 s: every request in that time is answered 503 (the queue of faults is kept topped up).
      const outageStarted = Date.now()
      while (Date.now() - outageStarted < 10_000) {
        if ((yield* d.standIn.pendingFaults) < 2) yield* d.standIn.inject(StandInFault.unavailable(1), StandInFault.unavailable(1))
        yield* Effect.sleep(50)
      }
      const refused = (yield* d.standIn.requests).filter((r) => r.status === 503).length
      yield* eventually(() => "the last queued 503s to be spent", Effect.map(d.standIn.pendingFaults, (n) => n === 0), 60_000)
      const outageMs = Date.now() - outageStarted
      yield* Fiber.interrupt(writer)

      yield* eventually(() => `all ${d.written.length} records at OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) =>
        d.written.every((w) => ids.has(w.token))), 90_000)
      const { ids, records } = yield* acceptedTokens(d.standIn)
      expect(outageMs).toBeGreaterThan(6_000)
      expect(refused, "requests were refused during the outage").toBeGreaterThan(0)
      expect(records, "a rebalance after an eviction would have re-delivered records").toBe(ids.size)
      expect(processor.child.exitCode).toBe(null)
      const port = /health and metrics on :(\d+)/.exec(processor.output())?.[1]
      expect(port, processor.output().slice(-500)).toBeDefined()
      const metrics = yield* Effect.promise(() => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text()))
      for (const name of ["aurora_logs_records_out_total", "aurora_logs_sink_retries_total", "aurora_logs_batch_records", "aurora_logs_ship_duration", "aurora_logs_consumer_lag_messages"]) {
        expect(metrics).toContain(name)
      }
    }))), 300_000)
})
