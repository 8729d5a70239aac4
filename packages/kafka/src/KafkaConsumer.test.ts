/**
 * The consumer's fetch buffer: what it hands over, and what it keeps alive afterwards.
 */
import type { BusMessage, Instance } from "@aurora-logs/core"
import { collected } from "@aurora-logs/core/testing/Collected"
import { assert, describe, it } from "@effect/vitest"
import { Session } from "./KafkaConsumer.ts"

const source: Instance = { id: "db-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
const message = (partition: number, offset: number, data: Uint8Array): BusMessage => ({
  partition,
  offset,
  block: { instance: source.id, file: `f${partition}.log`, generation: 0, source, format: "postgres", offset: 0, data, partial: false, continuation: false, fence: 1 }
})

describe("Session", () => {
  it("keeps no message it has handed over alive, while fetches keep coming", async () => {
    const session = new Session(1024 * 1024 * 1024, () => {}, () => {})
    // Each block counts as a mebibyte (a view of one shared buffer), so a chunk is one message: two fetched and one
    // taken a round, the buffer never runs empty.
    const shared = new ArrayBuffer(1024 * 1024)
    // Made in a function of their own, so that no variable of this (suspended) test still holds one of them.
    const consume = () => {
      const blocks: Array<WeakRef<Uint8Array>> = []
      let handedOver = 0
      for (let round = 0; round < 200; round++) {
        const fetched = [message(0, 2 * round, new Uint8Array(shared)), message(0, 2 * round + 1, new Uint8Array(shared))]
        for (const m of fetched) blocks.push(new WeakRef(m.block.data))
        session.push(fetched, 2 * shared.byteLength)
        handedOver += session.take()!.length
      }
      return { blocks, handedOver }
    }
    const { blocks, handedOver } = consume()
    assert.strictEqual(handedOver, 200)
    const freed = await collected(blocks)
    assert.deepStrictEqual(freed.indexOf(false), 200, "the first messages, handed over, are gone")
    assert.isTrue(freed.slice(200).every((f) => !f), "the messages not yet taken are still there")
    assert.strictEqual(session.take()![0].offset, 200)
  })

  it("hands over messages in the order they were fetched, each chunk ending once it holds a mebibyte", () => {
    const session = new Session(64 * 1024 * 1024, () => {}, () => {})
    const fetched = Array.from({ length: 10 }, (_, i) => message(i % 3, i, new Uint8Array(300 * 1024)))
    session.push(fetched, 10 * 300 * 1024)
    const chunks: Array<ReadonlyArray<BusMessage>> = []
    for (let chunk = session.take(); chunk !== undefined; chunk = session.take()) chunks.push(chunk)
    assert.deepStrictEqual(chunks.map((c) => c.length), [4, 4, 2])
    assert.deepStrictEqual(chunks.flat(), fetched)
  })
})
