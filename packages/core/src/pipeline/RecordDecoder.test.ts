/**
 * The decoder's handling of blocks that a replica published after losing its file (paused with the publish under
 * way, its block landing behind the new holder's): skipped when the new holder's blocks held the same bytes, decoded
 * otherwise, and never in the way of a record the new holder's blocks are putting together.
 */
import { describe, expect, it } from "vitest"
import type { BusMessage } from "../bus/LogBus.ts"
import type { Instance } from "../domain/Instance.ts"
import { RecordDecoder } from "./RecordDecoder.ts"

const source: Instance = { id: "db-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
const line = (n: number) => `2026-11-26 09:37:06 UTC::@:[15665]:LOG:  message ${String(n).padStart(4, "0")}\n`
/** Ten lines of the same length: line n starts at n * LINE. */
const FILE = Buffer.from(Array.from({ length: 10 }, (_, n) => line(n)).join(""), "utf8")
const LINE = line(0).length

let sequence = 0
const message = (fence: number, fromLine: number, toLine: number, flags: { partial?: boolean; continuation?: boolean; from?: number; to?: number } = {}): BusMessage => {
  const from = flags.from ?? fromLine * LINE
  const to = flags.to ?? toLine * LINE
  return {
    partition: 0,
    offset: sequence++,
    block: {
      instance: source.id, file: "error/postgresql.log.2026-11-26-0937", generation: 0, source, format: "postgres",
      offset: from, data: new Uint8Array(FILE.subarray(from, to)), partial: flags.partial ?? false, continuation: flags.continuation ?? false, fence
    }
  }
}
const messages = (decoder: RecordDecoder, m: BusMessage) => decoder.decode(m).records.map((r) => r.record.message)

describe("RecordDecoder and blocks of a replica that lost its file", () => {
  it("skips a block with an older fence whose bytes the new holder's blocks held", () => {
    const decoder = new RecordDecoder({ maxRecordBytes: 1 << 20 })
    expect(messages(decoder, message(1, 0, 3))).toEqual(["message 0000", "message 0001", "message 0002"])
    // The new holder reads on from the stored cursor (line 3); the paused replica's publish of lines 3 to 5 lands after.
    expect(messages(decoder, message(2, 3, 7))).toEqual(["message 0003", "message 0004", "message 0005", "message 0006"])
    expect(decoder.decode(message(1, 3, 5))).toEqual({ records: [], held: false })
    expect(decoder.lateBlocks).toBe(1)
    expect(messages(decoder, message(2, 7, 10))).toEqual(["message 0007", "message 0008", "message 0009"])
  })

  it("decodes a block with an older fence that holds bytes the new holder's blocks did not", () => {
    const decoder = new RecordDecoder({ maxRecordBytes: 1 << 20 })
    expect(messages(decoder, message(2, 3, 5))).toHaveLength(2)
    // Before the new holder's first byte: a block from before the takeover, delivered again after a consumer restart.
    expect(messages(decoder, message(1, 0, 3))).toEqual(["message 0000", "message 0001", "message 0002"])
    // Past the new holder's last byte so far: it will publish them again (same record ids), nothing is skipped now.
    expect(messages(decoder, message(1, 4, 6))).toEqual(["message 0004", "message 0005"])
    expect(decoder.lateBlocks).toBe(0)
  })

  it("leaves a record the new holder's partial blocks are putting together whole", () => {
    const decoder = new RecordDecoder({ maxRecordBytes: 1 << 20 })
    const middle = 4 * LINE + 20
    // The new holder's blocks: line 3, then line 4 in two pieces (as a record over the block size travels).
    expect(messages(decoder, message(2, 3, 4))).toEqual(["message 0003"])
    expect(decoder.decode(message(2, 4, 0, { to: middle, partial: true }))).toEqual({ records: [], held: true })
    expect(decoder.decode(message(1, 3, 4))).toEqual({ records: [], held: false })
    const rest = decoder.decode(message(2, 0, 6, { from: middle, continuation: true })).records
    expect(rest.map((r) => [r.record.message, r.record.offset, r.record.parse_error])).toEqual([
      ["message 0004", 4 * LINE, undefined],
      ["message 0005", 5 * LINE, undefined]
    ])
    expect(decoder.lateBlocks).toBe(1)
  })

  it("takes blocks of a newer fence as they come, whatever bytes they hold", () => {
    const decoder = new RecordDecoder({ maxRecordBytes: 1 << 20 })
    expect(messages(decoder, message(1, 0, 6))).toHaveLength(6)
    // A holder that starts again from an older stored cursor: every byte is decoded again.
    expect(messages(decoder, message(2, 2, 4))).toEqual(["message 0002", "message 0003"])
    expect(messages(decoder, message(3, 0, 2))).toEqual(["message 0000", "message 0001"])
    expect(decoder.lateBlocks).toBe(0)
  })
})
