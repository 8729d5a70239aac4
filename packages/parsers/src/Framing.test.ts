/**
 * Record framing: recordStarts picks the right lines, and a file cut at arbitrary byte boundaries,
 * framed into blocks with a carried tail and then parsed block by block, gives the same records as the
 * whole file cut at recordBounds and parsed record by record (property test over every fixture and
 * every format).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BlockParser } from "./BlockParser.ts"
import { type FramedBlock, RecordFramer, recordBounds } from "./Framer.ts"
import { makeParser } from "./Parser.ts"
import { lastRecordStart, recordStarts } from "./RecordStarts.ts"
import { listFixtures, readFixture } from "./testing/Fixtures.ts"
import type { LogFormat } from "./Format.ts"
import type { ParsedRecord } from "./Types.ts"

const enc = (s: string) => new TextEncoder().encode(s)
const dec = new TextDecoder()

describe("recordStarts", () => {
  it("PostgreSQL stderr: prefixed lines start records, DETAIL/STATEMENT and tab lines do not", () => {
    const text =
      "2026-11-26 09:38:02 UTC:[local]:app@appdb:[1]:ERROR:  division by zero\n" +
      "2026-11-26 09:38:02 UTC:[local]:app@appdb:[1]:STATEMENT:  SELECT 1/0\n" +
      "\tFROM t\n" +
      "2026-11-26 09:38:02 UTC::@:[2]:LOG:  checkpoint starting: time\n" +
      "2026-11-26 09:38:02 UTC:[local]:app@appdb:[1]:DETAIL:  x\n"
    const b = enc(text)
    expect(recordStarts("postgres", b)).toEqual([0, text.indexOf("2026-11-26 09:38:02 UTC::@")])
  })

  it("only counts a line without its newline once enough of it is there to decide", () => {
    const line = "2026-11-26 09:38:02 UTC:10.0.0.1(5432):app@appdb:[1]:LOG:  hello"
    const b = enc("x\n" + line)
    expect(recordStarts("postgres", b, 0, 2 + 20)).toEqual([])
    expect(recordStarts("postgres", b)).toEqual([2])
    expect(recordStarts("mysql-slow", enc("# Ti"))).toEqual([])
    expect(recordStarts("mysql-slow", enc("# Time: 2026-11-26T09:35:01.000244Z"))).toEqual([0])
  })

  it("starts at `from` only when it is a line start, and honours `to`", () => {
    const b = enc("1795685700000000,h,u,localhost,55,1,QUERY,,'a',0\n1795685700000000,h,u,localhost,55,2,QUERY,,'b',0\n")
    const second = b.indexOf(10) + 1
    expect(recordStarts("mysql-audit", b)).toEqual([0, second])
    expect(recordStarts("mysql-audit", b, 1)).toEqual([second])
    expect(recordStarts("mysql-audit", b, 0, second)).toEqual([0])
  })

  it("slow log: # User@Host: after # Time: does not start a record, without it it does; banners do", () => {
    const text = [
      "/rdsdbbin/oscar/bin/mysqld, Version: 8.0.28 (Source distribution). started with:",
      "Tcp port: 3306  Unix socket: /tmp/mysql.sock",
      "Time                 Id Command    Argument",
      "# Time: 2026-11-26T09:35:01.000244Z",
      "# User@Host: webapp[webapp] @ localhost []  Id:    58",
      "# Query_time: 0.000244  Lock_time: 0.000113 Rows_sent: 1  Rows_examined: 1",
      "SELECT 1;",
      "# User@Host: webapp[webapp] @ localhost []",
      "# Query_time: 0.1  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 1",
      "SELECT 'x",
      "# Query_time: 99.000000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 999999",
      "';",
      ""
    ].join("\n")
    const b = enc(text)
    const lineStarts = [0]
    for (let i = 0; i < b.length - 1; i++) if (b[i] === 10) lineStarts.push(i + 1)
    expect(recordStarts("mysql-slow", b)).toEqual([lineStarts[0], lineStarts[3], lineStarts[7]])
  })
})

describe("lastRecordStart", () => {
  for (const fixture of listFixtures()) {
    it(`is the last of recordStarts on any window of ${fixture.name}`, () => {
      const whole = readFixture(fixture.name)
      const bytes = whole.subarray(0, Math.min(whole.length, 60_000))
      fc.assert(
        fc.property(fc.integer({ min: 0, max: bytes.length }), fc.integer({ min: 0, max: bytes.length }), (a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a]
          const starts = recordStarts(fixture.format, bytes, from, to)
          expect(lastRecordStart(fixture.format, bytes, from, to)).toBe(starts.length > 0 ? starts[starts.length - 1] : -1)
        }),
        { numRuns: 200 }
      )
    })
  }
})

/** Frames `bytes` fed in the given chunk sizes and parses each block. */
function parseInChunks(format: LogFormat, bytes: Uint8Array, cuts: number[]) {
  const framer = new RecordFramer(format)
  const parser = new BlockParser(format)
  const records: Array<{ offset: number; record: ParsedRecord }> = []
  const take = (block: FramedBlock | undefined) => {
    if (block === undefined) return
    const parsed = parser.parse(block.bytes)
    for (let i = 0; i < parsed.records.length; i++) records.push({ offset: block.offset + parsed.offsets[i]!, record: parsed.records[i]! })
  }
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    if (cut < at) continue
    take(framer.push(bytes.subarray(at, cut)))
    at = cut
  }
  take(framer.flush())
  return records
}

function parseWhole(format: LogFormat, bytes: Uint8Array) {
  const parser = makeParser(format)
  return recordBounds(format, bytes).map(([s, e]) => ({ offset: s, record: parser.parse(dec.decode(bytes.subarray(s, e))) }))
}

describe("a file cut anywhere gives the same records as the whole file", () => {
  for (const fixture of listFixtures()) {
    it(fixture.name, () => {
      const whole = readFixture(fixture.name)
      // Keep each run fast: a window of the file that still holds many records.
      const bytes = whole.subarray(0, Math.min(whole.length, 60_000))
      const expected = parseWhole(fixture.format, bytes)
      fc.assert(
        fc.property(fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (cuts) => {
          const got = parseInChunks(fixture.format, bytes, cuts.sort((a, b) => a - b))
          expect(got).toEqual(expected)
        }),
        { numRuns: 30 }
      )
    })
  }

  it("holds for 300 random cuttings of a mixed PostgreSQL file, including 1-byte chunks", () => {
    const bytes = readFixture("postgresql/postgresql.log.2026-11-26-0938")
    const expected = parseWhole("postgres", bytes)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 200 }), (cuts) => {
        expect(parseInChunks("postgres", bytes, cuts.sort((a, b) => a - b))).toEqual(expected)
      }),
      { numRuns: 300 }
    )
    const tiny = bytes.subarray(0, 3000)
    const everyByte = Array.from({ length: tiny.length }, (_, i) => i)
    expect(parseInChunks("postgres", tiny, everyByte)).toEqual(parseWhole("postgres", tiny))
  })
})
