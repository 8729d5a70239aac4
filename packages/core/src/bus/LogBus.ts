/**
 * The bus between discovery and processing: blocks keyed by file (so each file keeps its order), consumed by a
 * group that commits, per partition, the next offset to read once everything before it was shipped.
 *
 * The real layer (package @aurora-logs/kafka) is Kafka; `layerMemory` keeps partitions and offsets in memory with
 * the same delivery rules: a consumer starts at the group's committed offsets, so anything consumed but not
 * committed is delivered again after a restart. Publishing waits while the uncommitted backlog is over its bound.
 */
import { Context, Effect, Layer, type Scope, Stream } from "effect"
import { type Block, blockKey } from "../domain/Block.ts"
import type { BusError } from "./BusError.ts"
import { MemoryBus } from "./MemoryBus.ts"

export interface BusMessage {
  readonly partition: number
  readonly offset: number
  readonly block: Block
  /** Trace context carried across the bus, when telemetry is on. */
  readonly headers?: Readonly<Record<string, string>>
}

export interface BusConsumer {
  /** Messages in order per partition, in the chunks they arrive in. Pulling slowly slows the reads (back-pressure). */
  readonly messages: Stream.Stream<BusMessage, BusError>
  /**
   * Commits, per partition, the next offset to read. Commits for partitions this consumer no longer owns
   * (revoked in a rebalance) are dropped: their messages will be delivered to the new owner again.
   */
  readonly commit: (positions: ReadonlyMap<number, number>) => Effect.Effect<void, BusError>
}

export class LogBus extends Context.Service<LogBus, {
  /** Returns once the blocks are durable (acks from all in-sync replicas for Kafka). */
  readonly publish: (blocks: ReadonlyArray<Block>) => Effect.Effect<void, BusError>
  /** Joins `group`; leaving the scope leaves the group. */
  readonly consumer: (group: string) => Effect.Effect<BusConsumer, BusError, Scope.Scope>
}>()("aurora-logs/LogBus") {
  static readonly layerMemory = (options?: { readonly partitions?: number; readonly maxBacklogBytes?: number }) =>
    Layer.effect(LogBus, Effect.sync(() => makeMemory(new MemoryBus(options?.partitions ?? 8, options?.maxBacklogBytes ?? 64 * 1024 * 1024))))

  /** A bus that outlives the layer built on it: tests restart consumers and producers on one bus. */
  static readonly layerMemoryShared = (bus: MemoryBus) => Layer.succeed(LogBus, makeMemory(bus))
}

const makeMemory = (bus: MemoryBus): LogBus["Service"] =>
  LogBus.of({
    publish: (blocks) => bus.publish(blocks),
    consumer: (group) =>
      Effect.gen(function*() {
        const session = yield* Effect.acquireRelease(Effect.sync(() => bus.join(group)), (s) => Effect.sync(() => s.leave()))
        return {
          messages: session.messages,
          commit: (positions) => Effect.sync(() => session.commit(positions))
        } satisfies BusConsumer
      })
  })

export { blockKey }
