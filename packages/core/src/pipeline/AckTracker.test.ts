/**
 * The tracker's commit positions when shipping lanes each advance their own partitions, and what it keeps alive.
 */
import { assert, describe, it } from "@effect/vitest"
import type { BusMessage } from "../bus/LogBus.ts"
import type { Instance } from "../domain/Instance.ts"
import { collected } from "../testing/Collected.ts"
import { AckTracker } from "./AckTracker.ts"

const source: Instance = { id: "db-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
const message = (partition: number, offset: number, data = new Uint8Array(0)): BusMessage => ({
  partition,
  offset,
  block: { instance: source.id, file: `f${partition}.log`, generation: 0, source, format: "postgres", offset: 0, data, partial: false, continuation: false, fence: 1 }
})

describe("AckTracker", () => {
  it("advances only the partitions a lane owns, leaving the others for their own lane", () => {
    const acks = new AckTracker()
    const a = message(0, 0)
    const b = message(1, 0)
    acks.track(a)
    acks.track(b)
    acks.release(a)
    acks.release(b)
    const first = acks.advance((p) => p === 0)
    assert.deepStrictEqual([...first.positions], [[0, 1]])
    assert.deepStrictEqual(first.completed, [a])
    const second = acks.advance((p) => p === 1)
    assert.deepStrictEqual([...second.positions], [[1, 1]])
    assert.deepStrictEqual(second.completed, [b])
  })

  it("moves a partition only over its leading done messages", () => {
    const acks = new AckTracker()
    const [m0, m1, m2] = [message(0, 10), message(0, 11), message(0, 12)]
    for (const m of [m0, m1, m2]) acks.track(m)
    acks.release(m1)
    assert.deepStrictEqual([...acks.advance().positions], [])
    acks.release(m0)
    assert.deepStrictEqual([...acks.advance().positions], [[0, 12]])
    acks.release(m2)
    assert.deepStrictEqual(acks.advance().completed, [m2])
  })

  it("keeps no message it has passed over alive: a block's bytes pin the whole fetch they came in", async () => {
    const acks = new AckTracker()
    // Made in a function of their own, so that no variable of this (suspended) test still holds one of them.
    const read = () => {
      const blocks: Array<WeakRef<Uint8Array>> = []
      // Fewer messages than a partition's queue ever held before it was compacted (1024), in two partitions.
      for (let offset = 0; offset < 300; offset++) {
        const m = message(offset % 2, offset, new Uint8Array(1024))
        blocks.push(new WeakRef(m.block.data))
        acks.track(m)
        acks.release(m)
        if (offset % 7 === 0) acks.advance()
      }
      return { blocks, positions: acks.advance().positions }
    }
    const { blocks, positions } = read()
    assert.strictEqual(positions.get(0), 299)
    assert.strictEqual(positions.get(1), 300)
    assert.strictEqual((await collected(blocks)).filter((freed) => !freed).length, 0)
    assert.strictEqual(acks.inFlight, 0)
  })
})
