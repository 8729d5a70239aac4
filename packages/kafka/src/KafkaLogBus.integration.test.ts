/**
 * The Kafka log bus against a real broker (`pnpm kafka:start`, or KAFKA_BROKERS). Each test has its own topic and
 * group, so the files run in parallel; a missing broker fails the suite, it never skips.
 */
import { assert, describe, it } from "@effect/vitest"
import { type BusConsumer, type BusMessage, DeadLetters, LogBus } from "@aurora-logs/core"
import { Duration, Effect, Latch, type Scope, Stream } from "effect"
import { KafkaClient } from "./KafkaClient.ts"
import * as KafkaLogBus from "./KafkaLogBus.ts"
import type { KafkaSettings } from "./KafkaSettings.ts"
import { blockOf, eventually, requireBroker, seqOf, testSettings, uniqueName } from "./testing/TestBroker.ts"

const withBus = <A, E>(
  settings: KafkaSettings,
  body: Effect.Effect<A, E, LogBus | DeadLetters | KafkaClient | Scope.Scope>,
  consumerOptions?: Parameters<typeof KafkaLogBus.layer>[1]
) =>
  // Each test checks the broker itself, so a missing broker fails every test rather than skipping any.
  Effect.tryPromise(() => requireBroker(settings.brokers)).pipe(
    Effect.andThen(Effect.scoped(body.pipe(Effect.provide(KafkaLogBus.layer(settings, consumerOptions)))))
  )

/** Runs the consumer's stream into `into` (each message after `gate` opens, when given). */
const drain = (consumer: BusConsumer, into: Array<BusMessage>, gate?: Latch.Latch) =>
  Effect.forkScoped(Stream.runForEach(consumer.messages, (m) =>
    (gate === undefined ? Effect.void : Latch.await(gate)).pipe(Effect.andThen(Effect.sync(() => {
      into.push(m)
    })))))

const key = (m: BusMessage) => `${m.partition}@${m.offset}`

const admin = <A>(use: (a: ReturnType<KafkaClient["Service"]["kafka"]["admin"]>) => Promise<A>) =>
  Effect.gen(function*() {
    const client = yield* KafkaClient
    return yield* Effect.promise(async () => {
      const a = client.kafka.admin()
      await a.connect()
      try {
        return await use(a)
      } finally {
        await a.disconnect()
      }
    })
  })

const committedOffsets = (group: string, topic: string) =>
  admin((a) => a.fetchOffsets({ groupId: group, topics: [topic] })).pipe(
    Effect.map((r) => new Map(r[0].partitions.map((p) => [p.partition, Number(p.offset)])))
  )

describe("KafkaLogBus", () => {
  it.live("publish then consume: every block arrives, in order per file, as it was sent", () => {
    const settings = testSettings()
    const files = Array.from({ length: 8 }, (_, i) => `error/postgresql.log.${i}`)
    const rounds = 40
    return withBus(settings, Effect.gen(function*() {
      const bus = yield* LogBus
      // Four publishers at once, two files each: sends are coalesced, order per file must still hold.
      yield* Effect.forEach([0, 1, 2, 3], (w) =>
        Effect.forEach(Array.from({ length: rounds }, (_, seq) => seq), (seq) =>
          bus.publish([blockOf(files[2 * w], seq), blockOf(files[2 * w + 1], seq)])), { concurrency: "unbounded" })
      const got: Array<BusMessage> = []
      const consumer = yield* bus.consumer(uniqueName("g"))
      yield* drain(consumer, got)
      yield* eventually(Effect.sync(() => got.length >= files.length * rounds), "all blocks")
      assert.strictEqual(got.length, files.length * rounds)
      for (const file of files) {
        const mine = got.filter((m) => m.block.file === file)
        assert.deepStrictEqual(mine.map((m) => seqOf(m.block)), Array.from({ length: rounds }, (_, i) => i), file)
        assert.strictEqual(new Set(mine.map((m) => m.partition)).size, 1, `${file} stays on one partition`)
        const sent = blockOf(file, 7)
        const received = mine[7].block
        assert.deepStrictEqual(Buffer.from(received.data).toString(), Buffer.from(sent.data).toString())
        assert.deepStrictEqual({ ...received, data: null }, { ...sent, data: null })
      }
    }))
  })

  it.live("after a commit, a restarted consumer gets exactly the uncommitted messages again", () => {
    const settings = testSettings({ partitions: 3 })
    const group = uniqueName("g")
    return withBus(settings, Effect.gen(function*() {
      const bus = yield* LogBus
      yield* bus.publish(Array.from({ length: 60 }, (_, i) => blockOf(`f${i % 6}`, Math.floor(i / 6))))
      const first: Array<BusMessage> = []
      const positions = new Map<number, number>()
      yield* Effect.scoped(Effect.gen(function*() {
        const consumer = yield* bus.consumer(group)
        yield* drain(consumer, first)
        yield* eventually(Effect.sync(() => first.length >= 60), "first delivery")
        // Per partition, the caller shipped the first half: it commits the next offset after it.
        for (const p of new Set(first.map((m) => m.partition))) {
          const offsets = first.filter((m) => m.partition === p).map((m) => m.offset)
          positions.set(p, offsets[Math.floor(offsets.length / 2)])
        }
        yield* consumer.commit(positions)
      }))
      const committed = yield* committedOffsets(group, settings.topic)
      for (const [p, pos] of positions) assert.strictEqual(committed.get(p), pos, `partition ${p} committed`)

      const expected = first.filter((m) => m.offset >= positions.get(m.partition)!).map(key).sort()
      const again: Array<BusMessage> = []
      const consumer = yield* bus.consumer(group)
      yield* drain(consumer, again)
      yield* eventually(Effect.sync(() => again.length >= expected.length), "redelivery")
      // Nothing beyond the uncommitted messages shows up either.
      yield* Effect.sleep("1500 millis")
      assert.deepStrictEqual(again.map(key).sort(), expected)
    }))
  })

  it.live("a consumer whose stream is not pulled for longer than the session timeout stays in the group", () => {
    const sessionTimeoutMs = 4000
    const settings = testSettings({ partitions: 2 })
    const group = uniqueName("g")
    const total = 300
    return withBus(settings, Effect.gen(function*() {
      const bus = yield* LogBus
      yield* bus.publish(Array.from({ length: total }, (_, i) => blockOf(`f${i % 4}`, Math.floor(i / 4), 400)))
      const consumer = yield* bus.consumer(group)
      const gate = yield* Latch.make(false)
      const got: Array<BusMessage> = []
      yield* drain(consumer, got, gate)
      const describe = admin((a) => a.describeGroups([group])).pipe(Effect.map((r) => r.groups[0]))
      yield* eventually(describe.pipe(Effect.map((g) => g.state === "Stable" && g.members.length === 1)), "group stable")
      const before = (yield* describe).members[0].memberId
      // The sink is stuck: nothing is pulled for two and a half session timeouts.
      yield* Effect.sleep(Duration.millis(2.5 * sessionTimeoutMs))
      const during = yield* describe
      assert.strictEqual(during.state, "Stable")
      assert.deepStrictEqual(during.members.map((m) => m.memberId), [before])
      yield* Latch.open(gate)
      yield* eventually(Effect.sync(() => got.length >= total), "all messages after the stall")
      yield* Effect.sleep("500 millis")
      // No eviction means no rebalance and no redelivery: each message exactly once, in order per partition.
      assert.strictEqual(got.length, total)
      assert.strictEqual(new Set(got.map(key)).size, total)
      for (const p of [0, 1]) {
        const offsets = got.filter((m) => m.partition === p).map((m) => m.offset)
        assert.deepStrictEqual(offsets, [...offsets].sort((a, b) => a - b))
      }
      assert.strictEqual((yield* describe).members[0].memberId, before)
    }), { sessionTimeoutMs, bufferBytes: 4096 })
  })

  it.live("undecodable messages go to the dead-letter topic with the reason, and count as done", () => {
    const settings = testSettings({ partitions: 1 })
    const group = uniqueName("g")
    return withBus(settings, Effect.gen(function*() {
      const bus = yield* LogBus
      const client = yield* KafkaClient
      const raw = (value: string) =>
        client.send(settings.topic, [{ key: "junk", value: Buffer.from(value) }], value.length)
      yield* bus.publish([blockOf("f", 0)]) // offset 0
      yield* raw("not a block") // 1
      yield* bus.publish([blockOf("f", 1)]) // 2
      yield* raw("tail junk") // 3

      const got: Array<BusMessage> = []
      const consumer = yield* bus.consumer(group)
      yield* drain(consumer, got)
      yield* eventually(Effect.sync(() => got.length >= 2), "the decodable blocks")
      assert.deepStrictEqual(got.map((m) => [m.offset, seqOf(m.block)]), [[0, 0], [2, 1]])

      // The caller shipped both blocks: its commit steps over the dead letter after them.
      yield* consumer.commit(new Map([[0, 3]]))
      assert.strictEqual((yield* committedOffsets(group, settings.topic)).get(0), 4)

      const letters: Array<{ reason: string; raw?: { key: string; base64: string } }> = []
      const dlq = client.kafka.consumer({ groupId: uniqueName("dlq"), maxWaitTimeInMs: 200 })
      yield* Effect.acquireRelease(
        Effect.promise(async () => {
          await dlq.connect()
          await dlq.subscribe({ topic: settings.deadLetterTopic, fromBeginning: true })
          await dlq.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value!.toString())) })
        }),
        () => Effect.promise(() => dlq.disconnect())
      )
      yield* eventually(Effect.sync(() => letters.length >= 2), "dead letters")
      assert.deepStrictEqual(letters.map((l) => Buffer.from(l.raw!.base64, "base64").toString()).sort(), ["not a block", "tail junk"])
      for (const l of letters) assert.match(l.reason, /undecodable message at .*\/0@[13]: no al-codec header/)

      // The DeadLetters service writes to the same topic.
      const dead = yield* DeadLetters
      yield* dead.write([{ reason: "rejected by the sink", raw: { key: "k", base64: "" }, at: 1 }])
      yield* eventually(Effect.sync(() => letters.some((l) => l.reason === "rejected by the sink")), "written letter")
    }))
  })

  it.live("a rebalance loses nothing: revoked partitions go to the new member from the committed offsets", () => {
    const settings = testSettings({ partitions: 4 })
    const group = uniqueName("g")
    return withBus(settings, Effect.gen(function*() {
      const bus = yield* LogBus
      yield* bus.publish(Array.from({ length: 80 }, (_, i) => blockOf(`f${i % 8}`, Math.floor(i / 8))))
      const a: Array<BusMessage> = []
      const consumerA = yield* bus.consumer(group)
      yield* drain(consumerA, a)
      yield* eventually(Effect.sync(() => a.length >= 80), "first member has everything")
      // A shipped only the first 5 messages of each partition before the second member joins.
      const positions = new Map<number, number>()
      for (const p of [0, 1, 2, 3]) {
        const offsets = a.filter((m) => m.partition === p).map((m) => m.offset)
        if (offsets.length > 5) positions.set(p, offsets[5])
      }
      yield* consumerA.commit(positions)
      const b: Array<BusMessage> = []
      const consumerB = yield* bus.consumer(group)
      yield* drain(consumerB, b)
      const members = admin((x) => x.describeGroups([group])).pipe(Effect.map((r) => r.groups[0]))
      yield* eventually(members.pipe(Effect.map((g) => g.state === "Stable" && g.members.length === 2)), "two members")
      // B starts its partitions at the committed positions: the uncommitted rest of them comes again.
      yield* eventually(Effect.sync(() => {
        const bParts = new Set(b.map((m) => m.partition))
        return bParts.size > 0 && a.filter((m) => bParts.has(m.partition) && m.offset >= (positions.get(m.partition) ?? 0))
          .every((m) => b.some((x) => key(x) === key(m)))
      }), "redelivery to the new member")
      for (const m of b) assert.isAtLeast(m.offset, positions.get(m.partition) ?? 0, "B never gets committed messages")
      // A's late commit for a partition it lost is dropped: the committed offset does not move.
      const lost = b[0].partition
      const before = (yield* committedOffsets(group, settings.topic)).get(lost)
      yield* consumerA.commit(new Map([[lost, 10_000]]))
      assert.strictEqual((yield* committedOffsets(group, settings.topic)).get(lost), before)
      // New blocks after the rebalance reach one of the two members, in order per file.
      yield* bus.publish(Array.from({ length: 16 }, (_, i) => blockOf(`f${i % 8}`, 10 + Math.floor(i / 8))))
      yield* eventually(Effect.sync(() =>
        [...a, ...b].filter((m) => seqOf(m.block) >= 10).length >= 16), "blocks published after the rebalance")
      for (let f = 0; f < 8; f++) {
        const seqs = [...a, ...b].filter((m) => m.block.file === `f${f}` && seqOf(m.block) >= 10).map((m) => seqOf(m.block))
        assert.deepStrictEqual(seqs, [10, 11])
      }
    }))
  })
})
