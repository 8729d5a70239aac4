/**
 * The same events logged to stderr, csvlog and jsonlog give the same records: same count once the
 * fixture README's documented offsets are accounted for (the stderr file also holds the records
 * written after csvlog/jsonlog were switched off), and the same values in every field the three share.
 * A second pair (stderr and csvlog of one server) switches from the RDS prefix to the long RDS prefix
 * with log_error_verbosity = verbose and back in the middle of the file; three more pairs were written
 * in other time zones, one with a prefix of its own.
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

const SWITCHING = "postgresql/postgresql.log.2026-11-26-2322"
/** Fields only the long prefix (%m ... %e:%s:%v:%x:%c:%q%a) gives stderr. */
const LONG_PREFIX_FIELDS = ["_timestamp", "session_id", "session_start", "virtual_transaction_id", "transaction_id", "application_name", "sqlstate"] as const
const pick = (r: ParsedRecord, fields: ReadonlyArray<string>) => Object.fromEntries(fields.filter((f) => r[f] !== undefined).map((f) => [f, r[f]]))

describe("stderr and csvlog of a server reloaded with the other RDS prefix and verbose errors, then back", () => {
  // The default prefix is configured, as for most files: the long prefix's lines are read all the same.
  const stderr = parseFile("postgres", readFixture(SWITCHING))
  const csv = parseFile("postgres-csv", readFixture(SWITCHING + ".csv"))

  it("gives one record per csvlog row, none unparsed", () => {
    expect(stderr.length).toBe(csv.length)
    expect(stderr.filter((r) => r.parse_error !== undefined)).toEqual([])
  })

  it("gives every csvlog row's shared fields, location and positions, and the long prefix's fields where it was on", () => {
    // %t comes from a coarser clock than csvlog's time: the second before is accepted (fixtures README).
    const byKey = new Map<string, ParsedRecord[]>()
    for (const r of stderr) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r])
    let longPrefixed = 0
    let verbose = 0
    for (const row of csv) {
      const candidates = byKey.get(key(row))?.length ? byKey.get(key(row))! : byKey.get(`${second(row) - 1}|${row.pid}|${row.message}`) ?? []
      expect(candidates.length, "stderr record for " + key(row)).toBeGreaterThan(0)
      const match = candidates.shift()!
      expect(pick(match, [...SHARED_FIELDS, "location", "statement_pos", "query_pos"])).toEqual(pick(row, [...SHARED_FIELDS, "location", "statement_pos", "query_pos"]))
      if (match.session_id !== undefined) {
        longPrefixed++
        expect(pick(match, LONG_PREFIX_FIELDS)).toEqual(pick(row, LONG_PREFIX_FIELDS))
      } else if (match.location !== undefined) {
        expect(match.sqlstate).toBe(row.sqlstate)
      }
      if (match.location !== undefined) verbose++
    }
    expect(longPrefixed).toBeGreaterThan(500)
    expect(verbose).toBeGreaterThan(500)
  })
})

/**
 * Pairs of another server (fixtures README, "time zones, bind parameters, encodings"), each written in
 * another log_timezone: stderr and csvlog must give the same instant (%t: the same second or the one
 * before; %m: the same millisecond) and the same shared fields. csvlog rows a rotation put in the
 * neighbouring stderr file are left over at the file's end.
 */
const CUSTOM_PREFIX = "%m [%p] %b: %q%u@%d/%a: "
describe.each([
  // log_timezone with a rule whose daylight time ends in the file (EDT, then EST); bind parameters, COPY errors.
  { file: "postgresql/postgresql.log.2026-11-26-2002", prefix: undefined, leftOver: 0 },
  // Asia/Kathmandu (+0545); bytes that are not UTF-8 from SQL_ASCII and LATIN1 databases; then a reload to CUSTOM_PREFIX.
  { file: "postgresql/postgresql.log.2026-11-27-0550", prefix: CUSTOM_PREFIX, leftOver: 0 },
  // Australia/Lord_Howe (+11) with CUSTOM_PREFIX: parallel workers, walsenders; then a reload back to the RDS prefix.
  { file: "postgresql/postgresql.log.2026-11-27-1106", prefix: CUSTOM_PREFIX, leftOver: 1 }
])("stderr and csvlog of $file", ({ file, prefix, leftOver }) => {
  const options = prefix === undefined ? undefined : { logLinePrefix: prefix }
  const stderr = parseFile("postgres", readFixture(file), options)
  const csv = parseFile("postgres-csv", readFixture(file + ".csv"))

  it("gives one record per csvlog row, none unparsed, nothing stray", () => {
    expect(stderr.length).toBe(csv.length - leftOver)
    expect(stderr.filter((r) => r.parse_error !== undefined || r.stray_text !== undefined)).toEqual([])
    // Bytes that are not UTF-8 (SQL_ASCII and LATIN1 databases) become U+FFFD in both, in the same records.
    const replaced = (rs: ParsedRecord[]) => rs.filter((r) => JSON.stringify(r).includes("\uFFFD")).length
    expect(replaced(stderr)).toBe(replaced(csv))
    if (file.endsWith("0550")) expect(replaced(stderr)).toBeGreaterThan(20)
  })

  it("gives every csvlog row's instant and shared fields", () => {
    const byKey = new Map<string, ParsedRecord[]>()
    for (const r of stderr) byKey.set(key(r), [...(byKey.get(key(r)) ?? []), r])
    const lastSecond = Math.max(...csv.map(second))
    let missing = 0
    let withBackendType = 0
    for (const row of csv) {
      const candidates = byKey.get(key(row))?.length ? byKey.get(key(row))! : byKey.get(`${second(row) - 1}|${row.pid}|${row.message}`) ?? []
      if (candidates.length === 0 && second(row) === lastSecond) { missing++; continue }
      expect(candidates.length, "stderr record for " + key(row)).toBeGreaterThan(0)
      const match = candidates.shift()!
      // CUSTOM_PREFIX has no %r: its lines give the client only in `connection received`.
      const fields = [...SHARED_FIELDS, "statement_pos", "query_pos"].filter((f) => match.backend_type === undefined || match.event === "connection_received" || !f.startsWith("client_"))
      expect(pick(match, fields)).toEqual(pick(row, fields))
      if (match._timestamp! % 1_000_000 !== 0) expect(match._timestamp).toBe(row._timestamp)
      if (match.backend_type !== undefined) {
        withBackendType++
        expect(match.backend_type).toBe(row.backend_type)
      }
    }
    expect(missing).toBe(leftOver)
    if (prefix !== undefined) expect(withBackendType).toBeGreaterThan(10)
  })
})
