import { assert, describe, it } from "@effect/vitest"
import type { TopicMessages } from "kafkajs"
import { SendQueue } from "./SendQueue.ts"

const msg = (v: string) => ({ key: v, value: v })

/** A fake producer: records each request and completes it when the test says so. */
const fakeProducer = () => {
  const requests: Array<Array<TopicMessages>> = []
  const pending: Array<{ resolve: () => void; reject: (e: unknown) => void }> = []
  let inFlight = 0
  let maxInFlight = 0
  const send = (topicMessages: Array<TopicMessages>) =>
    new Promise<void>((resolve, reject) => {
      requests.push(topicMessages)
      maxInFlight = Math.max(maxInFlight, ++inFlight)
      pending.push({ resolve: () => (inFlight--, resolve()), reject: (e) => (inFlight--, reject(e)) })
    })
  return { requests, pending, send, maxInFlight: () => maxInFlight }
}

const tick = () => new Promise((r) => setImmediate(r))

describe("SendQueue", () => {
  it("keeps one request in flight and coalesces what was queued meanwhile, per topic", async () => {
    const producer = fakeProducer()
    const queue = new SendQueue(producer.send, 1000)
    const done: Array<string> = []
    queue.enqueue("a", [msg("1")], 10, () => done.push("1"))
    queue.enqueue("a", [msg("2")], 10, () => done.push("2"))
    queue.enqueue("b", [msg("3")], 10, () => done.push("3"))
    await tick()
    assert.strictEqual(producer.requests.length, 1)
    assert.deepStrictEqual(producer.requests[0], [{ topic: "a", messages: [msg("1")] }])
    producer.pending.shift()!.resolve()
    await tick()
    assert.deepStrictEqual(done, ["1"])
    assert.deepStrictEqual(producer.requests[1], [{ topic: "a", messages: [msg("2")] }, { topic: "b", messages: [msg("3")] }])
    producer.pending.shift()!.resolve()
    await tick()
    assert.deepStrictEqual(done, ["1", "2", "3"])
    assert.strictEqual(producer.maxInFlight(), 1)
  })

  it("caps a request's size, fails every entry of a failed request, and drops cancelled entries not yet sent", async () => {
    const producer = fakeProducer()
    const queue = new SendQueue(producer.send, 25)
    const results: Array<string> = []
    const report = (name: string) => (e: unknown) => results.push(`${name}:${e === undefined ? "ok" : "failed"}`)
    queue.enqueue("t", [msg("1")], 10, report("1"))
    queue.enqueue("t", [msg("2")], 10, report("2"))
    queue.enqueue("t", [msg("3")], 10, report("3"))
    const cancelled = queue.enqueue("t", [msg("4")], 10, report("4"))
    queue.enqueue("t", [msg("5")], 10, report("5"))
    await tick()
    producer.pending.shift()!.resolve()
    await tick()
    // 2 and 3 fit in 25 bytes; 4 is cancelled before it goes out.
    assert.deepStrictEqual(producer.requests[1], [{ topic: "t", messages: [msg("2"), msg("3")] }])
    queue.cancel(cancelled)
    producer.pending.shift()!.reject(new Error("broker gone"))
    await tick()
    assert.deepStrictEqual(producer.requests[2], [{ topic: "t", messages: [msg("5")] }])
    producer.pending.shift()!.resolve()
    await tick()
    assert.deepStrictEqual(results, ["1:ok", "2:failed", "3:failed", "5:ok"])
  })
})
