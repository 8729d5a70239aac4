/**
 * A first-in first-out queue of bus messages on an array, which lets go of each message as it leaves: a block's
 * bytes are a view of the whole fetch they came in, so a message kept by a stale slot keeps that fetch alive. The
 * consumer's buffer and the processor's ack tracker queue messages this way.
 */
export class MessageQueue<A> {
  /** Items from `head` on are waiting; the slots before it are empty, and dropped once they are half the array. */
  private items: Array<A | undefined> = []
  private head = 0

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head
  }

  push(item: A): void {
    this.items.push(item)
  }

  /** The `i`-th item waiting (0: the next out), or undefined. */
  at(i = 0): A | undefined {
    return this.items[this.head + i]
  }

  /** The next item out, removed; undefined when none waits. */
  shift(): A | undefined {
    if (this.size === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head++] = undefined
    this.compact()
    return item
  }

  /** The next `n` items out (fewer when fewer wait), removed. */
  take(n: number): Array<A> {
    const out = this.items.slice(this.head, this.head + n) as Array<A>
    this.items.fill(undefined, this.head, this.head + out.length)
    this.head += out.length
    this.compact()
    return out
  }

  /** Keeps, in order, only the waiting items for which `keep` holds. */
  retain(keep: (item: A) => boolean): void {
    const kept: Array<A | undefined> = []
    for (let i = this.head; i < this.items.length; i++) if (keep(this.items[i]!)) kept.push(this.items[i])
    this.items = kept
    this.head = 0
  }

  private compact(): void {
    if (this.head * 2 < this.items.length) return
    this.items.splice(0, this.head)
    this.head = 0
  }
}
