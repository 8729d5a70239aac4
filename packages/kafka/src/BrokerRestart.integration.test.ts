/**
 * Per-file order across a broker restart, with the idempotent producer and concurrent publishers: the test runs
 * its own broker (scripts/kafka, on KAFKA_RESTART_PORT, default 19092, with its own data folder) so restarting
 * it disturbs no other test.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { type BusMessage, LogBus, retryWhileRetryable } from "@aurora-logs/core"
import { Effect, Fiber, Schedule, Stream } from "effect"
import * as KafkaLogBus from "./KafkaLogBus.ts"
import { blockOf, eventually, script, seqOf, testSettings, uniqueName } from "./testing/TestBroker.ts"

const port = process.env.KAFKA_RESTART_PORT ?? "19092"
const env = { KAFKA_PORT: port }
const brokers = [`127.0.0.1:${port}`]

afterAll(() => Effect.runPromise(script("stop", env, ["--wipe"])), 60_000)

describe("KafkaLogBus across a broker restart", () => {
  it.live("per-file order holds while the broker restarts under concurrent publishers", () => {
    const settings = testSettings({ partitions: 6 }, brokers)
    const writers = 4
    const filesPerWriter = 3
    const sent = new Map<string, number>()
    let published = 0
    let retries = 0
    let stop = false
    const writer = (w: number) =>
      Effect.gen(function*() {
        const bus = yield* LogBus
        const files = Array.from({ length: filesPerWriter }, (_, i) => `w${w}/f${i}`)
        for (let seq = 0; !stop; seq++) {
          // As discovery does: a block is re-published until Kafka acknowledged it, before the next one.
          yield* bus.publish(files.map((f) => blockOf(f, seq))).pipe(
            Effect.tapError(() => Effect.sync(() => retries++)),
            Effect.retry({ schedule: Schedule.spaced("200 millis"), while: (e) => e.isRetryable })
          )
          for (const f of files) sent.set(f, seq + 1)
          published += files.length
        }
      })
    // Started inside the test (not in a hook), so a broker that cannot start fails the test instead of skipping it.
    const fresh = script("stop", env, ["--wipe"]).pipe(Effect.andThen(script("start", env)))
    return fresh.pipe(Effect.andThen(Effect.scoped(Effect.gen(function*() {
      const bus = yield* LogBus
      const fibers = yield* Effect.forEach(Array.from({ length: writers }, (_, w) => w), (w) => Effect.forkScoped(writer(w)))
      // A processor-like member consumes and commits through the restart. As the processor does, it opens its consumer
      // again (same group, so from the committed offsets) when the old one fails for a retryable reason: kafkajs can give
      // up finding the group coordinator while the broker starts.
      const live: Array<BusMessage> = []
      const liveGroup = uniqueName("live")
      const consumeLive = Effect.scoped(Effect.gen(function*() {
        const liveConsumer = yield* bus.consumer(liveGroup)
        yield* Stream.runForEachArray(liveConsumer.messages, (chunk) => {
          const positions = new Map<number, number>()
          for (const m of chunk) {
            live.push(m)
            positions.set(m.partition, m.offset + 1)
          }
          return liveConsumer.commit(positions).pipe(Effect.retry({ schedule: Schedule.spaced("200 millis"), while: (e) => e.isRetryable }))
        })
      }))
      yield* Effect.forkScoped(retryWhileRetryable(consumeLive))
      yield* eventually(Effect.sync(() => published >= 400 && live.length > 0), "publishing and consuming before the restart")
      yield* script("stop", env)
      const atStop = published
      yield* script("start", env)
      yield* eventually(Effect.sync(() => published >= atStop + 400), "publishing after the restart", "90 seconds")
      stop = true
      yield* Effect.forEach(fibers, (f) => Fiber.await(f))

      const total = [...sent.values()].reduce((a, b) => a + b, 0)
      const distinct = (ms: ReadonlyArray<BusMessage>) => new Set(ms.map((m) => `${m.block.file}#${seqOf(m.block)}`)).size
      const got: Array<BusMessage> = []
      const consumer = yield* bus.consumer(uniqueName("g"))
      yield* Effect.forkScoped(Stream.runForEach(consumer.messages, (m) => Effect.sync(() => void got.push(m))))
      yield* eventually(Effect.sync(() => distinct(got) >= total), "every block", "60 seconds")
      yield* eventually(Effect.sync(() => distinct(live) >= total), "the live consumer to get every block", "60 seconds")
      let duplicates = 0
      for (const [file, count] of sent) {
        const liveSeqs = live.filter((m) => m.block.file === file).map((m) => seqOf(m.block))
        assert.deepStrictEqual([...new Set(liveSeqs)], Array.from({ length: count }, (_, i) => i), `live order of ${file}`)
        const seqs = got.filter((m) => m.block.file === file).map((m) => seqOf(m.block))
        const firsts: Array<number> = []
        const seen = new Set<number>()
        for (const s of seqs) {
          if (seen.has(s)) duplicates++
          else firsts.push(s)
          seen.add(s)
        }
        // Every block once, in publishing order; a re-published block may repeat only right where it was retried.
        assert.deepStrictEqual(firsts, Array.from({ length: count }, (_, i) => i), `order of ${file}`)
        for (let i = 1; i < seqs.length; i++) assert.isAtLeast(seqs[i], seqs[i - 1] - 1, `no going back in ${file}`)
      }
      // The idempotent producer's own retries never duplicate; only the caller's re-publishing may.
      if (retries === 0) assert.strictEqual(duplicates, 0)
      console.log(`broker restart: ${total} blocks, ${retries} publish retries, ${duplicates} duplicates, ${live.length - total} redelivered to the live consumer`)
    }).pipe(Effect.provide(KafkaLogBus.layer(settings))))))
  }, 240_000)
})
