/**
 * A zombie discovery replica: a replica stopped with SIGSTOP past its lease loses its instances to the other
 * replica, and when it is resumed (SIGCONT) it starts no new publish and moves no cursor for them. Seen from
 * outside: on the topic, a block of a file with an older fencing token than one before it (a publish the zombie
 * had under way when it was stopped, which Kafka lets through when it resumes) holds only bytes that blocks of the
 * newer token hold too (the new holder read them again from the stored cursor), and every record written meanwhile
 * reaches OpenObserve under a single record_id. Real processes, a real broker, dynalite, the RDS API emulator and
 * the OpenObserve stand-in.
 */
import { LogBus } from "@aurora-logs/core"
import { KafkaLogBus, makeSettings } from "@aurora-logs/kafka"
import { Effect, Fiber, Layer, Stream } from "effect"
import { describe, expect, it } from "vitest"
import { acceptedTokens, deployment, eventually, heldBy } from "./DistributedHarness.ts"

const BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092"
const INSTANCES = 6

describe("a discovery replica paused past its lease", () => {
  it("loses its instances and, resumed, neither publishes nor moves a cursor for them", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const d = yield* deployment({ instances: INSTANCES, brokers: BROKERS, leaseTtl: "4 seconds" })
      for (let k = 0; k < INSTANCES; k++) d.write(k, 3)
      const output = () => d.running.map((p) => p.output().slice(-2000)).join("\n---\n")
      const writer = yield* Effect.forkChild(Effect.forever(Effect.andThen(
        Effect.sync(() => d.write(Math.floor(Math.random() * INSTANCES), 2)),
        Effect.sleep(50)
      )))

      d.start("processor", "p1")
      const zombie = d.start("discovery", "d1")
      yield* eventually(() => `d1 to hold every instance\n${output()}`, Effect.map(d.leases, (l) => heldBy(l).get("d1") === INSTANCES), 60_000)
      d.start("discovery", "d2")
      yield* eventually(() => `d1 and d2 to share the instances\n${output()}`, Effect.map(d.leases, (l) => {
        const m = heldBy(l)
        return (m.get("d1") ?? 0) === INSTANCES / 2 && (m.get("d2") ?? 0) === INSTANCES / 2
      }), 30_000)

      zombie.child.kill("SIGSTOP")
      yield* eventually(() => `d2 to take over the paused replica's instances\n${output()}`, Effect.map(d.leases, (l) => heldBy(l).get("d2") === INSTANCES), 30_000)
      yield* Effect.sleep(2000)
      zombie.child.kill("SIGCONT")
      yield* Effect.sleep(3000)
      yield* Fiber.interrupt(writer)

      yield* eventually(() => `every record at OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) =>
        d.written.every((w) => ids.has(w.token))), 60_000)
      const { ids } = yield* acceptedTokens(d.standIn)
      for (const [token, recordIds] of ids) expect(recordIds.size, token).toBe(1)

      // The topic as a new consumer group sees it, every block, in partition (so per-file) order.
      const fences = new Map<string, Array<{ fence: number; start: number; end: number }>>()
      const bus = yield* Layer.build(KafkaLogBus.layer(makeSettings(BROKERS.split(","), {
        topic: d.env.AURORA_LOGS_KAFKA_TOPIC,
        partitions: 6,
        replication: 1,
        group: `${d.env.AURORA_LOGS_KAFKA_GROUP}-audit`
      })))
      yield* Effect.gen(function*() {
        const consumer = yield* (yield* LogBus).consumer(`${d.env.AURORA_LOGS_KAFKA_GROUP}-audit`)
        let last = Date.now()
        const reader = yield* Effect.forkChild(Stream.runForEach(consumer.messages, (m) => Effect.sync(() => {
          const key = `${m.block.instance}/${m.block.file}#${m.block.generation}`
          const list = fences.get(key) ?? []
          list.push({ fence: m.block.fence, start: m.block.offset, end: m.block.offset + m.block.data.length })
          fences.set(key, list)
          last = Date.now()
        })))
        yield* eventually(() => "the audit consumer to read the whole topic", Effect.sync(() => fences.size > 0 && Date.now() - last > 4000), 60_000)
        yield* Fiber.interrupt(reader)
      }).pipe(Effect.scoped, Effect.provide(bus))
      expect(fences.size).toBe(INSTANCES)
      for (const [key, list] of fences) {
        let newest = 0
        for (const block of list) {
          if (block.fence >= newest) {
            newest = block.fence
            continue
          }
          // A late block of the zombie: the blocks of the newer fence cover its bytes.
          const newer = list.filter((b) => b.fence === newest)
          const covered = Math.min(...newer.map((b) => b.start)) <= block.start && block.end <= Math.max(...newer.map((b) => b.end))
          expect(covered, `${key}: a block of fence ${block.fence} [${block.start}, ${block.end}) after fence ${newest} holds bytes its blocks do not`).toBe(true)
        }
      }
      expect(Array.from(fences.values()).some((list) => list[list.length - 1]!.fence > list[0]!.fence), "some instance changed hands").toBe(true)
    }))), 240_000)
})
