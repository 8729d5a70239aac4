/**
 * One produce request in flight at a time, with whatever was queued meanwhile (for any topic) coalesced into the
 * next request.
 *
 * Why: kafkajs's idempotent producer numbers each partition's batches when it builds a request, and concurrent
 * `send` calls to one partition can reach the broker out of sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, kafkajs
 * issues around 2.x), which breaks per-key order exactly when a broker restarts. Serialising sends keeps the
 * sequence monotonic; coalescing keeps the throughput of concurrent publishers.
 */
import type { Message, TopicMessages } from "kafkajs"

interface Entry {
  readonly topic: string
  readonly messages: ReadonlyArray<Message>
  readonly bytes: number
  readonly done: (error: unknown) => void
  started: boolean
}

export class SendQueue {
  private readonly pending: Array<Entry> = []
  private running = false
  private readonly send: (topicMessages: Array<TopicMessages>) => Promise<unknown>
  private readonly maxRequestBytes: number

  constructor(send: (topicMessages: Array<TopicMessages>) => Promise<unknown>, maxRequestBytes: number) {
    this.send = send
    this.maxRequestBytes = maxRequestBytes
  }

  /** `done(undefined)` once every message is acknowledged, `done(error)` when the request failed. */
  enqueue(topic: string, messages: ReadonlyArray<Message>, bytes: number, done: (error: unknown) => void): Entry {
    const entry: Entry = { topic, messages, bytes, done, started: false }
    this.pending.push(entry)
    if (!this.running) void this.drain()
    return entry
  }

  /** Drops an entry not yet sent (its publisher was interrupted); one already on the wire completes anyway. */
  cancel(entry: Entry): void {
    if (entry.started) return
    const i = this.pending.indexOf(entry)
    if (i >= 0) this.pending.splice(i, 1)
  }

  private async drain(): Promise<void> {
    this.running = true
    try {
      while (this.pending.length > 0) {
        // Take entries up to the request size, at least one.
        let take = 0
        let bytes = 0
        while (take < this.pending.length && (take === 0 || bytes + this.pending[take].bytes <= this.maxRequestBytes)) {
          bytes += this.pending[take].bytes
          take++
        }
        const batch = this.pending.splice(0, take)
        const byTopic = new Map<string, Array<Message>>()
        for (const entry of batch) {
          entry.started = true
          let messages = byTopic.get(entry.topic)
          if (messages === undefined) byTopic.set(entry.topic, messages = [])
          for (const m of entry.messages) messages.push(m)
        }
        let failure: unknown = undefined
        try {
          await this.send(Array.from(byTopic, ([topic, messages]) => ({ topic, messages })))
        } catch (e) {
          failure = e ?? new Error("send failed")
        }
        for (const entry of batch) entry.done(failure)
      }
    } finally {
      this.running = false
    }
  }
}
