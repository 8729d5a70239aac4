/**
 * Hostile input: invalid UTF-8, NUL bytes, a single 5 MB line, RDS's truncation tail, lines of another
 * format mixed in, empty input, CRLF line ends. Nothing throws, nothing is silently dropped: every byte lands in a
 * record, and what cannot be parsed becomes a record with parse_error and raw.
 */
import { describe, expect, it } from "vitest"
import { LOG_FORMATS, type LogFormat } from "./Format.ts"
import { RecordFramer, recordBounds } from "./Framer.ts"
import { makeParser } from "./Parser.ts"
import { TRUNCATION_MARKER } from "./Record.ts"
import { recordStarts } from "./RecordStarts.ts"
import { listFixtures, parseFile, readFixture } from "./testing/Fixtures.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

const sampleOf: Record<LogFormat, string> = {
  "postgres": "2026-11-26 09:38:00 UTC:[local]:postgres@postgres:[16906]:LOG:  duration: 1.454 ms  statement: SELECT 1\n",
  "postgres-csv": "2026-11-26 09:39:00.369 UTC,\"postgres\",\"postgres\",17066,\"[local]\",6b07fe34.42aa,4,\"SELECT\",2026-11-26 09:39:00 UTC,3/0,0,LOG,00000,\"duration: 0.853 ms  statement: SELECT 1\",,,,,,,,,\"psql\",\"client backend\",,0\n",
  "postgres-json": "{\"timestamp\":\"2026-11-26 09:39:00.369 UTC\",\"pid\":17066,\"error_severity\":\"LOG\",\"message\":\"hello\"}\n",
  "mysql-error": "2026-11-26T09:34:08.000000Z 0 [Note] [MY-012948] [InnoDB] Compressed tables use zlib 1.2.13\n",
  "mysql-slow": "# Time: 2026-11-26T09:35:01.000244Z\n# User@Host: webapp[webapp] @ localhost []  Id:    58\n# Query_time: 0.000244  Lock_time: 0.000113 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1795685701;\nSELECT 1;\n",
  "mysql-general": "2026-11-26T09:35:01.000000Z\t   58 Query\tSELECT 1\n",
  "mysql-audit": "1795685701000000,aurora-mysql-b-instance-1,webapp,localhost,58,2594,QUERY,shopdb,'SELECT 1',0\n"
}

/** Frames and parses; checks the records tile the input exactly and returns them. */
function parseAll(format: LogFormat, bytes: Uint8Array) {
  const parser = makeParser(format)
  const bounds = recordBounds(format, bytes)
  let expectedStart = 0
  for (const [s, e] of bounds) {
    expect(s).toBe(expectedStart)
    expectedStart = e
  }
  expect(expectedStart).toBe(bytes.length)
  return bounds.map(([s, e]) => parser.parse(dec.decode(bytes.subarray(s, e))))
}

describe.each(LOG_FORMATS)("%s parser on hostile input", (format) => {
  const sample = enc.encode(sampleOf[format])

  it("parses its own sample without error", () => {
    const [record] = parseAll(format, sample)
    expect(record!.parse_error).toBeUndefined()
  })

  it("gives no records for empty input", () => {
    expect(recordStarts(format, new Uint8Array(0))).toEqual([])
    expect(parseAll(format, new Uint8Array(0))).toEqual([])
    expect(new RecordFramer(format).flush()).toEqual([])
  })

  it("keeps invalid UTF-8 and NUL bytes without throwing", () => {
    const bad = concat(sample.subarray(0, sample.length - 1), new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x0a]), sample)
    const records = parseAll(format, bad)
    expect(records.length).toBeGreaterThanOrEqual(2)
    expect(JSON.stringify(records)).toContain("\\u0000")
  })

  it("handles a single 5 MB line", () => {
    const big = enc.encode(sampleOf[format].replace(/\n$/, "") + "x".repeat(5 * 1024 * 1024) + "\n")
    const started = performance.now()
    const records = parseAll(format, concat(big, sample))
    expect(records.length).toBeGreaterThanOrEqual(2)
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it("marks a record that ends in the truncation tail", () => {
    const text = sampleOf[format].replace(/\n$/, "") + TRUNCATION_MARKER
    const records = parseAll(format, enc.encode(text))
    expect(records[records.length - 1]!.truncated).toBe(true)
  })

  it("turns lines of another format into parse_error records or continuation text, never dropping them", () => {
    for (const other of LOG_FORMATS) {
      if (other === format) continue
      const foreign = sampleOf[other]
      const mixed = enc.encode(foreign + sampleOf[format])
      const records = parseAll(format, mixed)
      const all = JSON.stringify(records)
      // Every foreign line is somewhere in the output: in raw (unparsed) or in the text of a record.
      const probe = foreign.split("\n")[0]!.slice(0, 25)
      expect(all.includes(JSON.stringify(probe).slice(1, -1)), `${other} in ${format}`).toBe(true)
      for (const r of records) if (r.parse_error !== undefined) expect(r.raw).toBeDefined()
    }
  })
})

describe("raw newlines inside a quoted audit query", () => {
  it("stay in the row they belong to", () => {
    const text = "1795685701000000,i,a,localhost,58,1,QUERY,db,'SELECT 1,\n2,\n  3',0\n1795685701000000,i,a,localhost,58,2,QUERY,db,'SELECT 2',0\n"
    const records = parseAll("mysql-audit", enc.encode(text))
    expect(records.map((r) => r.statement)).toEqual(["SELECT 1,\n2,\n  3", "SELECT 2"])
  })
})

describe("every fixture byte lands in a record", () => {
  for (const fixture of listFixtures()) {
    it(fixture.name, () => {
      parseAll(fixture.format, readFixture(fixture.name))
    })
  }
})

describe("CRLF line ends (a log copied through Windows tools)", () => {
  // Line breaks inside a record's text stay as written; every field reads as with LF.
  const asLf = (value: unknown): unknown =>
    typeof value === "string" ? value.replaceAll("\r\n", "\n") : value
  for (const fixture of listFixtures()) {
    it(`read ${fixture.name} as with LF`, () => {
      const lf = readFixture(fixture.name)
      const crlf = enc.encode(dec.decode(lf).replaceAll("\n", "\r\n"))
      const expected = parseFile(fixture.format, lf).map(({ offset: _o, ...r }) => r)
      const actual = parseFile(fixture.format, crlf).map(({ offset: _o, ...r }) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, asLf(v)])))
      expect(actual).toEqual(expected)
    })
  }
})
