/**
 * The in-memory log bus: partitions of blocks with offsets, consumer groups with committed positions, and a
 * bounded backlog. One consumer session per group at a time; a new session (a restarted consumer) starts from
 * the committed positions and the old session's commits are dropped, as Kafka drops commits of revoked partitions.
 */
import { Effect, Stream } from "effect"
import type { Block } from "../domain/Block.ts"
import { blockKey } from "../domain/Block.ts"
import type { BusError } from "./BusError.ts"
import type { BusMessage } from "./LogBus.ts"

interface Partition {
  /** Offset of `messages[0]`: committed messages are trimmed. */
  base: number
  readonly messages: Array<BusMessage>
}

interface Group {
  epoch: number
  readonly committed: Map<number, number>
}

export interface BusSession {
  readonly messages: Stream.Stream<BusMessage, BusError>
  readonly commit: (positions: ReadonlyMap<number, number>) => void
  readonly leave: () => void
}

/** FNV-1a: a stable partition for a key, the same in every process. */
export const partitionOf = (key: string, partitions: number): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % partitions
}

const MAX_POLL = 256

export class MemoryBus {
  private readonly parts: Array<Partition>
  private readonly groups = new Map<string, Group>()
  private readonly waiters = new Set<() => void>()
  private backlogBytes = 0
  readonly partitions: number
  private readonly maxBacklogBytes: number
  private readonly publishLatencyMs: number
  /** `publishLatencyMs`: how long a publish takes until acknowledged (on the clock), as a broker's does. */
  constructor(partitions: number, maxBacklogBytes: number, publishLatencyMs = 0) {
    this.partitions = partitions
    this.maxBacklogBytes = maxBacklogBytes
    this.publishLatencyMs = publishLatencyMs
    this.parts = Array.from({ length: partitions }, () => ({ base: 0, messages: [] }))
  }

  /** Appends the blocks once the backlog has room (a single block larger than the bound still goes alone). */
  publish(blocks: ReadonlyArray<Block>): Effect.Effect<void> {
    const bytes = blocks.reduce((n, b) => n + b.data.length, 0)
    const append = Effect.andThen(
      this.waitFor(() => (this.backlogBytes === 0 || this.backlogBytes + bytes <= this.maxBacklogBytes ? true : undefined)),
      Effect.sync(() => {
        for (const block of blocks) {
          const partition = partitionOf(blockKey(block), this.partitions)
          const p = this.parts[partition]
          p.messages.push({ partition, offset: p.base + p.messages.length, block })
        }
        this.backlogBytes += bytes
        this.notify()
      })
    )
    // Half the latency before the blocks are on the bus (a publisher stopped then published nothing), half before
    // the acknowledgement (one stopped then does not know that it published).
    if (this.publishLatencyMs <= 0) return append
    const half = this.publishLatencyMs / 2
    return Effect.sleep(half).pipe(Effect.andThen(append), Effect.andThen(Effect.sleep(half)))
  }

  join(group: string): BusSession {
    let g = this.groups.get(group)
    if (g === undefined) {
      g = { epoch: 0, committed: new Map() }
      this.groups.set(group, g)
    }
    const epoch = ++g.epoch
    const state = g
    const next = this.parts.map((p, i) => Math.max(state.committed.get(i) ?? 0, p.base))
    let cursor = 0
    const poll = (): Array<BusMessage> => {
      const out: Array<BusMessage> = []
      for (let k = 0; k < this.partitions && out.length < MAX_POLL; k++) {
        const i = (cursor + k) % this.partitions
        const p = this.parts[i]
        while (next[i] < p.base + p.messages.length && out.length < MAX_POLL) {
          out.push(p.messages[next[i] - p.base])
          next[i]++
        }
      }
      cursor = (cursor + 1) % this.partitions
      return out
    }
    const pull = this.waitFor(() => {
      if (state.epoch !== epoch) return undefined
      const batch = poll()
      return batch.length === 0 ? undefined : (batch as unknown as readonly [BusMessage, ...Array<BusMessage>])
    })
    return {
      messages: Stream.fromEffectRepeat(pull).pipe(Stream.flattenArray),
      commit: (positions) => {
        if (state.epoch !== epoch) return
        for (const [partition, offset] of positions) {
          if (offset > (state.committed.get(partition) ?? 0)) state.committed.set(partition, offset)
        }
        this.trim()
        this.notify()
      },
      leave: () => {
        if (state.epoch === epoch) state.epoch++
        this.notify()
      }
    }
  }

  /** Committed positions of a group (tests compare them with what was shipped). */
  committed(group: string): ReadonlyMap<number, number> {
    return new Map(this.groups.get(group)?.committed ?? [])
  }

  /** Messages after the group's committed positions: the work in flight. */
  uncommitted(group: string): ReadonlyArray<BusMessage> {
    const committed = this.groups.get(group)?.committed
    const out: Array<BusMessage> = []
    this.parts.forEach((p, i) => {
      for (const m of p.messages) if (m.offset >= (committed?.get(i) ?? 0)) out.push(m)
    })
    return out
  }

  /** Drops messages every group has committed; with no group yet, everything stays. */
  private trim(): void {
    if (this.groups.size === 0) return
    this.parts.forEach((p, i) => {
      let upTo = Infinity
      for (const g of this.groups.values()) upTo = Math.min(upTo, g.committed.get(i) ?? 0)
      while (p.base < upTo && p.messages.length > 0) {
        const m = p.messages.shift()!
        this.backlogBytes -= m.block.data.length
        p.base++
      }
    })
  }

  private notify(): void {
    const pending = Array.from(this.waiters)
    this.waiters.clear()
    for (const w of pending) w()
  }

  /** Waits until `attempt` gives a value; it is tried again whenever the bus changes. */
  private waitFor<A>(attempt: () => A | undefined): Effect.Effect<A> {
    return Effect.callback((resume) => {
      const first = attempt()
      if (first !== undefined) return resume(Effect.succeed(first))
      const waiter = () => {
        const value = attempt()
        if (value === undefined) this.waiters.add(waiter)
        else resume(Effect.succeed(value))
      }
      this.waiters.add(waiter)
      return Effect.sync(() => this.waiters.delete(waiter))
    })
  }
}
