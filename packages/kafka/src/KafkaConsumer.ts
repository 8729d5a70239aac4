/**
 * One member of a consumer group, seen as a `BusConsumer`: fetched messages wait in a bounded buffer until the
 * stream pulls them, and commits are per-partition positions.
 *
 * - Back-pressure: when the buffer holds more than its bound, every partition is paused (kafkajs `pause`); the
 *   fetch loop keeps running empty rounds and so keeps heartbeating, and a sink slower than the session timeout
 *   evicts no one. Below half the bound the partitions resume.
 * - Rebalances (kafkajs uses the eager protocol: every partition is revoked and reassigned): buffered messages
 *   of partitions taken away are dropped and their later commits ignored, so their new owner gets them again
 *   from the group's committed offset; a partition kept continues where this member's stream stands (a seek past
 *   what is buffered), so the stream never goes back within a partition.
 * - Commits never move a partition's position backwards, and a commit that meets a rebalance is retried once the
 *   group is stable, when the partition is still ours.
 * - Messages that cannot be decoded go to the dead-letter topic with the reason before their batch counts as
 *   fetched; the committed position then steps over them as if they had been shipped.
 */
import { type BusConsumer, BusError, type BusMessage, BusUnavailable, type DeadLetter, MessageQueue } from "@aurora-logs/core"
import { Effect, Metric, type Scope, Stream } from "effect"
import type { Consumer, EachBatchPayload } from "kafkajs"
import { decodeBlock } from "./BlockCodec.ts"
import { KafkaClient } from "./KafkaClient.ts"
import { writeDeadLetters } from "./KafkaDeadLetters.ts"
import { isRebalanceError, toBusError } from "./KafkaErrors.ts"

const consumerLag = Metric.gauge("aurora_logs_consumer_lag_messages", {
  description: "Messages between the committed position of the consumer group and the end of the partition."
})

/** Messages handed to the stream per pull (one chunk), and bytes. */
const MAX_CHUNK = 1024
const MAX_CHUNK_BYTES = 1024 * 1024

export interface ConsumerOptions {
  /** Buffered bytes above which partitions are paused; default: the `consumerBufferBytes` setting. */
  readonly bufferBytes?: number
  /** Session timeout override (tests use short ones). */
  readonly sessionTimeoutMs?: number
}

type NonEmpty<A> = readonly [A, ...Array<A>]

/** What one consumer has fetched and not yet handed over, and its partitions' positions (exported for its test). */
export class Session {
  /** Messages waiting to be taken; those taken are let go at once (MessageQueue). */
  private readonly buffer = new MessageQueue<BusMessage>()
  private bufferedBytes = 0
  private paused = false
  private waiter: (() => void) | undefined
  failure: BusError | undefined
  /** Partitions owned since the last group join. */
  assigned: ReadonlySet<number> = new Set()
  /** Next offset to fetch per owned partition: one past the last message buffered. */
  readonly next = new Map<number, number>()
  /** Committed position per owned partition (as far as this member knows). */
  readonly committed = new Map<number, number>()
  /** Commits that met a rebalance, to redo once the group is stable. */
  readonly wanted = new Map<number, number>()
  /** Dead-lettered offsets per partition: offset -> the offset after it. */
  readonly skips = new Map<number, Map<number, number>>()
  private readonly high: number
  private readonly low: number
  private readonly onPause: () => void
  private readonly onResume: () => void

  constructor(bufferBytes: number, onPause: () => void, onResume: () => void) {
    this.high = bufferBytes
    this.low = Math.floor(bufferBytes / 2)
    this.onPause = onPause
    this.onResume = onResume
  }

  push(messages: ReadonlyArray<BusMessage>, bytes: number): void {
    for (const m of messages) this.buffer.push(m)
    this.bufferedBytes += bytes
    if (!this.paused && this.bufferedBytes >= this.high) {
      this.paused = true
      this.onPause()
    }
    this.wake()
  }

  take(): NonEmpty<BusMessage> | undefined {
    const available = this.buffer.size
    if (available === 0) return undefined
    // A chunk is bounded in bytes too: what the stream holds was freed from the buffer's account, so a large
    // chunk would let the buffer refill while it is still being worked on.
    let n = 0
    let bytes = 0
    while (n < Math.min(available, MAX_CHUNK) && (n === 0 || bytes < MAX_CHUNK_BYTES)) {
      bytes += this.buffer.at(n)!.block.data.byteLength
      n++
    }
    const out = this.buffer.take(n) as unknown as NonEmpty<BusMessage>
    this.bufferedBytes -= bytes
    if (this.paused && this.bufferedBytes <= this.low) {
      this.paused = false
      this.onResume()
    }
    return out
  }

  /** Drops what is buffered for partitions no longer owned. */
  dropPartitions(revoked: ReadonlySet<number>): void {
    if (revoked.size === 0) return
    let bytes = 0
    this.buffer.retain((m) => {
      if (revoked.has(m.partition)) return false
      bytes += m.block.data.byteLength
      return true
    })
    this.bufferedBytes = bytes
    for (const p of revoked) {
      this.next.delete(p)
      this.committed.delete(p)
      this.wanted.delete(p)
      this.skips.delete(p)
    }
    if (this.paused && this.bufferedBytes <= this.low) {
      this.paused = false
      this.onResume()
    }
  }

  /** The position `pos` moved past any dead-lettered offsets that follow it. */
  chase(partition: number, pos: number): number {
    const skips = this.skips.get(partition)
    if (skips === undefined) return pos
    let at = pos
    for (let after = skips.get(at); after !== undefined; after = skips.get(at)) at = after
    return at
  }

  committedTo(partition: number, pos: number): void {
    if (pos > (this.committed.get(partition) ?? -1)) this.committed.set(partition, pos)
    if ((this.wanted.get(partition) ?? -1) <= pos) this.wanted.delete(partition)
    const skips = this.skips.get(partition)
    if (skips !== undefined) {
      for (const offset of skips.keys()) if (offset < pos) skips.delete(offset)
      if (skips.size === 0) this.skips.delete(partition)
    }
  }

  fail(error: BusError): void {
    if (this.failure === undefined) this.failure = error
    this.wake()
  }

  wait(waiter: (() => void) | undefined): void {
    this.waiter = waiter
  }

  private wake(): void {
    const w = this.waiter
    this.waiter = undefined
    if (w !== undefined) w()
  }
}

export const makeConsumer = (
  group: string,
  options: ConsumerOptions = {}
): Effect.Effect<BusConsumer, BusError, KafkaClient | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* KafkaClient
    const { topic, deadLetterTopic } = client.settings
    const context = yield* Effect.context<never>()
    const run = Effect.runForkWith(context)
    const consumer: Consumer = client.newConsumer(
      group,
      options.sessionTimeoutMs === undefined ? undefined : {
        sessionTimeout: options.sessionTimeoutMs,
        heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 3)),
        maxWaitTimeInMs: Math.max(50, Math.min(500, Math.floor(options.sessionTimeoutMs / 6)))
      }
    )
    const session = new Session(
      options.bufferBytes ?? client.settings.consumerBufferBytes,
      () => consumer.pause([{ topic }]),
      () => consumer.resume([{ topic }])
    )

    const sendCommits = (offsets: ReadonlyArray<readonly [number, number]>): Promise<void> =>
      consumer.commitOffsets(offsets.map(([partition, offset]) => ({ topic, partition, offset: String(offset) })))
        .then(() => {
          for (const [p, pos] of offsets) session.committedTo(p, pos)
        })

    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const now = new Set(event.payload.memberAssignment[topic] ?? [])
      const revoked = new Set<number>()
      for (const p of session.assigned) if (!now.has(p)) revoked.add(p)
      session.dropPartitions(revoked)
      session.assigned = now
      // Kept partitions continue after what this member already buffered or handed out.
      for (const p of now) {
        const next = session.next.get(p)
        if (next === undefined) continue
        try {
          consumer.seek({ topic, partition: p, offset: String(next) })
        } catch (e) {
          // Without the seek the partition restarts at the committed offset: duplicates, never a loss.
          run(Effect.logWarning(`cannot continue ${topic}/${p} at ${next}: ${String(e)}`))
        }
      }
      const redo: Array<readonly [number, number]> = []
      for (const [p, pos] of session.wanted) if (now.has(p)) redo.push([p, pos])
      if (redo.length > 0) void sendCommits(redo).catch(() => undefined)
      run(Effect.logDebug(`joined ${group}: partitions ${[...now].join(",")}`))
    })
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) session.fail(toBusError(event.payload.error, `consumer of ${group} stopped`))
    })

    const eachBatch = async ({ batch, resolveOffset }: EachBatchPayload): Promise<void> => {
      const partition = batch.partition
      if (!session.assigned.has(partition)) return
      if (!session.committed.has(partition)) {
        // The first batch of a newly owned partition starts at the group's committed position.
        const fetched = Number((batch as unknown as { fetchedOffset?: string }).fetchedOffset ?? batch.firstOffset() ?? 0)
        session.committed.set(partition, fetched)
      }
      // Lag as Kafka tools show it: the partition's end minus what this group has committed.
      Effect.runSync(Metric.update(
        Metric.withAttributes(consumerLag, { topic, partition: String(partition) }),
        Math.max(0, Number(batch.highWatermark) - (session.committed.get(partition) ?? 0))
      ))
      const from = session.next.get(partition) ?? -1
      const good: Array<BusMessage> = []
      let bytes = 0
      let dead: Array<DeadLetter> | undefined
      let deadOffsets: Array<number> | undefined
      for (const m of batch.messages) {
        const offset = Number(m.offset)
        if (offset < from) continue
        const decoded = decodeBlock(m.value, m.headers)
        if (decoded._tag === "Block") {
          good.push(decoded.headers === undefined
            ? { partition, offset, block: decoded.block }
            : { partition, offset, block: decoded.block, headers: decoded.headers })
          bytes += decoded.block.data.byteLength
        } else {
          if (dead === undefined) {
            dead = []
            deadOffsets = []
          }
          dead.push({
            reason: `undecodable message at ${topic}/${partition}@${offset}: ${decoded.reason}`,
            raw: { key: m.key?.toString("utf8") ?? "", base64: m.value?.toString("base64") ?? "" },
            at: Date.now()
          })
          deadOffsets!.push(offset)
        }
      }
      if (dead !== undefined) {
        // Written before the batch counts as fetched: if this fails, kafkajs fetches the batch again.
        await Effect.runPromiseWith(context)(writeDeadLetters(client, deadLetterTopic, dead))
        let skips = session.skips.get(partition)
        if (skips === undefined) session.skips.set(partition, skips = new Map())
        for (const o of deadOffsets!) skips.set(o, o + 1)
        run(Effect.logWarning(`${dead.length} undecodable message(s) of ${topic}/${partition} sent to ${deadLetterTopic}`))
      }
      const last = Number(batch.lastOffset())
      if (last + 1 > from) session.next.set(partition, last + 1)
      if (good.length > 0) session.push(good, bytes)
      resolveOffset(batch.lastOffset())
      if (dead !== undefined) {
        // Dead letters right after the committed position: nothing before them is pending, so commit past them.
        const at = session.committed.get(partition) ?? 0
        const past = session.chase(partition, at)
        if (past > at) await sendCommits([[partition, past]]).catch(() => undefined)
      }
    }

    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: async () => {
          await consumer.connect()
          await consumer.subscribe({ topic, fromBeginning: true })
          await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch })
        },
        catch: (e) => toBusError(e, `cannot join consumer group ${group}`)
      }),
      // Disconnecting leaves the group, so its partitions move at once instead of after the session timeout.
      () => Effect.promise(() => consumer.disconnect().catch(() => undefined))
    )

    const pull: Effect.Effect<NonEmpty<BusMessage>, BusError> = Effect.callback((resume) => {
      const attempt = (): boolean => {
        if (session.failure !== undefined) {
          resume(Effect.fail(session.failure))
          return true
        }
        const chunk = session.take()
        if (chunk === undefined) return false
        resume(Effect.succeed(chunk))
        return true
      }
      if (attempt()) return
      const waiter = () => {
        if (!attempt()) session.wait(waiter)
      }
      session.wait(waiter)
      return Effect.sync(() => session.wait(undefined))
    })

    const commit = (positions: ReadonlyMap<number, number>): Effect.Effect<void, BusError> =>
      Effect.suspend(() => {
        const offsets: Array<readonly [number, number]> = []
        for (const [p, requested] of positions) {
          // Not ours any more: its new owner starts from the group's committed offset.
          if (!session.assigned.has(p)) continue
          const pos = session.chase(p, requested)
          if (pos <= (session.committed.get(p) ?? -1)) continue
          offsets.push([p, pos])
        }
        if (offsets.length === 0) return Effect.void
        return Effect.tryPromise({ try: () => sendCommits(offsets), catch: (e) => e }).pipe(
          Effect.catch((e) => {
            if (isRebalanceError(e)) {
              for (const [p, pos] of offsets) {
                if (pos > (session.wanted.get(p) ?? -1)) session.wanted.set(p, pos)
              }
              return Effect.logDebug(`commit for ${group} met a rebalance; retried once the group is stable`)
            }
            return Effect.fail(toBusError(e, `cannot commit offsets of ${group}`))
          })
        )
      })

    // A stream still pulled after its consumer's scope closed fails instead of waiting for ever.
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => session.fail(new BusError({ reason: new BusUnavailable({ message: `consumer of ${group} closed` }) })))
    )

    return {
      messages: Stream.fromEffectRepeat(pull).pipe(Stream.flattenArray),
      commit
    } satisfies BusConsumer
  })
