/**
 * The tracker's commit positions when shipping lanes each advance their own partitions.
 */
import { assert, describe, it } from "@effect/vitest"
import type { BusMessage } from "../bus/LogBus.ts"
import type { Instance } from "../domain/Instance.ts"
import { AckTracker } from "./AckTracker.ts"

const source: Instance = { id: "db-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
const message = (partition: number, offset: number): BusMessage => ({
  partition,
  offset,
  block: { instance: source.id, file: `f${partition}.log`, generation: 0, source, format: "postgres", offset: 0, data: new Uint8Array(0), partial: false, continuation: false, fence: 1 }
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
})
