/**
 * Which bus messages are fully shipped, and how far each partition may be committed.
 *
 * A message is done once every record that came from it was accepted (or dead-lettered). Batches complete in
 * order, but a record reassembled from partial blocks holds its earlier messages back, so per partition only the
 * highest contiguous done offset moves the commit position. Messages of a partition that was revoked are dropped.
 * A message passed over is forgotten at once (MessageQueue).
 */
import type { BusMessage } from "../bus/LogBus.ts"
import { MessageQueue } from "../bus/MessageQueue.ts"

export class AckTracker {
  private readonly outstanding = new Map<BusMessage, number>()
  private readonly done = new Set<BusMessage>()
  /** Per partition, its messages in arrival order, which is offset order within it (offsets may have gaps). */
  private readonly partitions = new Map<number, MessageQueue<BusMessage>>()

  /** A message was read; it stays outstanding until `release` was called as often as `track` + `retain`. */
  track(message: BusMessage): void {
    let queue = this.partitions.get(message.partition)
    if (queue === undefined) this.partitions.set(message.partition, queue = new MessageQueue())
    queue.push(message)
    this.outstanding.set(message, (this.outstanding.get(message) ?? 0) + 1)
  }

  /** One more record now refers to this message. */
  retain(message: BusMessage): void {
    this.outstanding.set(message, (this.outstanding.get(message) ?? 0) + 1)
  }

  /** A record that referred to this message was shipped, or the message's own reading finished. */
  release(message: BusMessage): void {
    const left = (this.outstanding.get(message) ?? 0) - 1
    if (left > 0) {
      this.outstanding.set(message, left)
      return
    }
    this.outstanding.delete(message)
    this.done.add(message)
  }

  /**
   * Advances each partition over its leading done messages. Returns the new commit positions (next offset to
   * read) and the messages passed over, in order (their cursors may move now). `owns` limits it to some partitions
   * (a shipping lane commits only its own: a commit of another lane's partition could overtake that lane's next).
   */
  advance(owns?: (partition: number) => boolean): { readonly positions: ReadonlyMap<number, number>; readonly completed: ReadonlyArray<BusMessage> } {
    const positions = new Map<number, number>()
    const completed: Array<BusMessage> = []
    for (const [partition, queue] of this.partitions) {
      if (owns !== undefined && !owns(partition)) continue
      let last: BusMessage | undefined
      for (let next = queue.at(); next !== undefined && this.done.has(next); next = queue.at()) {
        last = queue.shift()!
        this.done.delete(last)
        completed.push(last)
      }
      if (last !== undefined) positions.set(partition, last.offset + 1)
    }
    return { positions, completed }
  }

  /** Messages read but not yet done. */
  get inFlight(): number {
    return this.outstanding.size
  }
}
