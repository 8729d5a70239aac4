import { assert, describe, it } from "@effect/vitest"
import { admitTimestamp, formatStreamName, timestampMicros } from "./IngestRules.ts"

const NOW_US = 1_764_000_000_000_000
const window = { allowedUptoHours: 5, allowedInFutureHours: 24 }

describe("IngestRules", () => {
  it("integer timestamps are scaled by magnitude, as OpenObserve does (s, ms, µs, ns)", () => {
    assert.strictEqual(timestampMicros(1_764_000_000), NOW_US)
    assert.strictEqual(timestampMicros(1_764_000_000_000), NOW_US)
    assert.strictEqual(timestampMicros(NOW_US), NOW_US)
    assert.strictEqual(timestampMicros(NOW_US * 1000), NOW_US)
    assert.strictEqual(timestampMicros("1764000000000"), NOW_US)
    assert.strictEqual(timestampMicros(12345), "Invalid time format [timestamp:value]")
  })

  it("RFC 3339 strings keep their microseconds; other types and texts are refused", () => {
    assert.strictEqual(timestampMicros("2025-11-24T16:00:00.123456Z"), Date.parse("2025-11-24T16:00:00Z") * 1000 + 123456)
    assert.strictEqual(timestampMicros("2025-11-24T18:00:00+02:00"), Date.parse("2025-11-24T16:00:00Z") * 1000)
    assert.strictEqual(timestampMicros("2024-01-01 12:00:00 UTC junk"), "invalid time format [string]")
    assert.strictEqual(timestampMicros(true), "Invalid time format [type]")
  })

  it("the window: 5 h back and 24 h ahead by default, with OpenObserve's texts", () => {
    assert.deepStrictEqual(admitTimestamp({ _timestamp: NOW_US - 1 }, NOW_US, window), { ok: true, micros: NOW_US - 1 })
    const old = admitTimestamp({ _timestamp: NOW_US - 5 * 3_600_000_000 - 1 }, NOW_US, window)
    assert.isFalse(old.ok)
    const ahead = admitTimestamp({ "@timestamp": NOW_US + 25 * 3_600_000_000 }, NOW_US, window)
    assert.isTrue(!ahead.ok && ahead.error.startsWith("Too far data"))
    assert.deepStrictEqual(admitTimestamp({}, NOW_US, window), { ok: true, micros: NOW_US })
  })

  it("stream names: characters outside [a-zA-Z0-9_:] become _, lowercased", () => {
    assert.strictEqual(formatStreamName("Aurora-PG.logs/eu west:1"), "aurora_pg_logs_eu_west:1")
  })
})
