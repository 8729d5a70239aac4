import { sampleRecord } from "@aurora-logs/testkit/openobserve/SampleRecords"
import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { makeIngestionWindow, type WindowSettings } from "./IngestionWindow.ts"

const NOW_MS = 1_764_000_000_000
const HOUR_US = 3_600_000_000
const settings: WindowSettings = {
  ingestWindow: Duration.hours(5),
  futureWindow: Duration.hours(24),
  windowMargin: Duration.minutes(10),
  backfill: "ingest-time"
}
const at = (hoursAgo: number) => sampleRecord(1, NOW_MS * 1000 - hoursAgo * HOUR_US)

describe("IngestionWindow", () => {
  it("records inside the window go out untouched", () => {
    const records = [at(0), at(4.5), at(-23)]
    const verdict = makeIngestionWindow(settings)(records, NOW_MS)
    assert.deepStrictEqual(verdict.refused, [])
    assert.strictEqual(verdict.moved, 0)
    verdict.outgoing.forEach((o, i) => {
      assert.strictEqual(o.record, records[i])
      assert.strictEqual(o.doc, records[i])
    })
  })

  it("ingest-time: older (or too far ahead, or within the margin of the edge) moves to now, the original kept", () => {
    const records = [at(3 * 24), at(4.9), at(-24.5)]
    const verdict = makeIngestionWindow(settings)(records, NOW_MS)
    assert.strictEqual(verdict.moved, 3)
    verdict.outgoing.forEach((o, i) => {
      assert.strictEqual(o.record, records[i], "the record itself is kept for the dead-letter path")
      assert.deepStrictEqual(o.doc, { ...records[i], _timestamp: NOW_MS * 1000, original_timestamp: records[i]!._timestamp })
    })
  })

  it("keep: records outside the configured window are refused before sending, with the reason; the others keep _timestamp", () => {
    const wide = makeIngestionWindow({ ...settings, ingestWindow: Duration.hours(72), backfill: "keep" })
    const records = [at(48), at(80), at(1)]
    const verdict = wide(records, NOW_MS)
    assert.deepStrictEqual(verdict.outgoing.map((o) => o.doc), [records[0], records[2]])
    assert.strictEqual(verdict.refused.length, 1)
    assert.strictEqual(verdict.refused[0]!.record, records[1])
    assert.match(verdict.refused[0]!.reason, /outside the ingestion window \(3d back, 1d ahead/)
    assert.match(verdict.refused[0]!.reason, /OPENOBSERVE_BACKFILL=ingest-time/)
  })

  it("reads _timestamp in any unit OpenObserve accepts (s, ms, µs, ns)", () => {
    const micros = NOW_MS * 1000 - 6 * HOUR_US
    const window = makeIngestionWindow(settings)
    for (const value of [Math.floor(micros / 1_000_000), Math.floor(micros / 1000), micros, micros * 1000]) {
      assert.strictEqual(window([{ ...at(0), _timestamp: value }], NOW_MS).moved, 1, `value ${value}`)
    }
    const { _timestamp: _, ...unstamped } = at(0)
    assert.strictEqual(window([unstamped], NOW_MS).moved, 0, "no timestamp: OpenObserve stamps it")
  })
})
