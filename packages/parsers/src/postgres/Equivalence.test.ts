/**
 * The same events logged to stderr, csvlog and jsonlog give the same records: same count once the
 * fixture README's documented offsets are accounted for (the stderr file also holds the records
 * written after csvlog/jsonlog were switched off), and the same values in every field the three share.
 */
import { describe, expect, it } from "vitest"
import { parseFile, readFixture } from "../testing/Fixtures.ts"
import type { ParsedRecord } from "../Types.ts"

const STDERR = "postgresql/postgresql.log.2026-11-26-0939"
/** Fields each of the three destinations carries for the RDS prefix %t:%r:%u@%d:[%p]:. */
const SHARED_FIELDS = [
  "severity", "level", "pid", "user", "database", "client_addr", "client_port", "message", "detail", "hint", "context",
  "statement", "query", "duration_ms", "duration_kind", "event", "session_time_ms", "fingerprint", "temp_file_bytes", "prepared_name"
] as const

const shared = (r: ParsedRecord) => Object.fromEntries(SHARED_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]))
/** stderr's %t has whole seconds; csvlog and jsonlog have milliseconds. */
const second = (r: ParsedRecord) => Math.floor(r._timestamp! / 1_000_000)
const key = (r: ParsedRecord) => `${second(r)}|${r.pid}|${r.message}`

describe("stderr, csvlog and jsonlog of the same workload", () => {
  const stderr = parseFile("postgres", readFixture(STDERR))
  const csv = parseFile("postgres-csv", readFixture(STDERR + ".csv"))
  const json = parseFile("postgres-json", readFixture(STDERR + ".json"))

  it("csvlog and jsonlog give the same records, field for field", () => {
    expect(json.length).toBe(csv.length)
    // Each destination has its own writer, so rows of different backends may come in another order;
    // and the postmaster numbers its lines per destination, so its line_num is left out of the match.
    const withoutOwnFields = ({ offset: _o, ...r }: ParsedRecord & { offset: number }) => {
      if (r.backend_type === "postmaster") delete r.line_num
      return r
    }
    const rowId = (r: ParsedRecord) => `${r._timestamp}|${r.pid}|${r.message}|${r.backend_type === "postmaster" ? "" : r.line_num}`
    const jsonById = new Map(json.map((r) => [rowId(r), r]))
    expect(jsonById.size).toBe(json.length)
    for (const row of csv) {
      const twin = jsonById.get(rowId(row))
      expect(twin, "jsonlog row for " + rowId(row)).toBeDefined()
      expect(withoutOwnFields(twin!)).toEqual(withoutOwnFields(row))
    }
  })

  it("every csvlog row has its stderr record with the same shared fields", () => {
    const byKey = new Map<string, ParsedRecord[]>()
    for (const r of stderr) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r])
    for (const row of csv) {
      const candidates = byKey.get(key(row)) ?? []
      expect(candidates.length, "stderr record for " + key(row)).toBeGreaterThan(0)
      const match = candidates.shift()!
      expect(shared(match)).toEqual(shared(row))
    }
  })

  it("the stderr records without a csvlog row are the documented extra LOG records at the end", () => {
    const csvKeys = new Set(csv.map(key))
    const extra = stderr.filter((r) => !csvKeys.has(key(r)))
    expect(extra.length).toBe(stderr.length - csv.length)
    expect(new Set(extra.map((r) => r.severity))).toEqual(new Set(["LOG"]))
    const lastCsv = Math.max(...csv.map(second))
    // The documented rotation offset: a row or two at the start may sit in the neighbouring csv file.
    expect(extra.filter((r) => second(r) <= lastCsv).length).toBeLessThanOrEqual(2)
  })
})
