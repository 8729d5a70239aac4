/**
 * Record framing: recordStarts picks the right lines, and a file cut at arbitrary byte boundaries,
 * framed into blocks with a carried tail and then parsed block by block, gives the same records as the
 * whole file cut at recordBounds and parsed record by record (property test over every fixture and
 * every format); with a record limit, each longer record is cut there and the rest of it left out, and
 * what the framer holds stays within the limit plus a chunk.
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
  const take = (blocks: ReadonlyArray<FramedBlock>) => {
    for (const block of blocks) {
      const parsed = parser.parse(block.bytes)
      for (let i = 0; i < parsed.records.length; i++) records.push({ offset: block.offset + parsed.offsets[i]!, record: parsed.records[i]! })
    }
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

/** The blocks of `bytes` fed in the given chunk sizes to a framer with a record limit, and the framer. */
function frameInChunks(format: LogFormat, bytes: Uint8Array, cuts: number[], maxRecordBytes: number) {
  const framer = new RecordFramer(format, undefined, maxRecordBytes)
  const blocks: FramedBlock[] = []
  let held = 0
  let at = 0
  for (const cut of [...cuts, bytes.length]) {
    if (cut < at) continue
    blocks.push(...framer.push(bytes.subarray(at, cut)))
    held = Math.max(held, framer.heldBytes)
    at = cut
  }
  blocks.push(...framer.flush())
  return { blocks, framer, held }
}

/** Contiguous [start, end) byte ranges, adjacent ones joined. */
function joinRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (const [start, end] of ranges) {
    const previous = out[out.length - 1]
    if (previous !== undefined && previous[1] === start) previous[1] = end
    else if (end > start) out.push([start, end])
  }
  return out
}

describe("a record longer than the limit is cut there, the rest of it left out", () => {
  it("holds no more than the limit plus a chunk of a stream that has no record start at all", () => {
    const line = "not a log line of this format, said again and again\n"
    const bytes = enc(line.repeat(2000))
    const cuts = Array.from({ length: Math.floor(bytes.length / 100) }, (_, i) => (i + 1) * 100)
    const { blocks, framer, held } = frameInChunks("mysql-slow", bytes, cuts, 1024)
    expect(blocks).toEqual([{ offset: 0, bytes: bytes.subarray(0, 1024), cut: true }])
    expect(framer.cutRecords).toBe(1)
    expect(framer.leftOutBytes).toBe(bytes.length - 1024)
    expect(held).toBeLessThanOrEqual(1024 + 100)
  })

  it("leaves out the rest of a long single line, then frames the records after it as before", () => {
    const head = "2026-11-26 09:38:02 UTC:[local]:app@appdb:[1]:LOG:  statement: SELECT '"
    const huge = head + "x".repeat(300_000) + "'\n"
    const after = "2026-11-26 09:38:03 UTC::@:[2]:LOG:  checkpoint starting: time\n" + "2026-11-26 09:38:04 UTC::@:[2]:LOG:  checkpoint complete\n"
    const bytes = enc(huge + after)
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096)
    const { blocks, framer, held } = frameInChunks("postgres", bytes, cuts, 10_000)
    expect(blocks.filter((b) => b.cut).map((b) => [b.offset, b.bytes.length])).toEqual([[0, 10_000]])
    expect(joinRanges(blocks.map((b) => [b.offset, b.offset + b.bytes.length]))).toEqual([[0, 10_000], [huge.length, bytes.length]])
    expect(framer.leftOutBytes).toBe(huge.length - 10_000)
    expect(held).toBeLessThanOrEqual(10_000 + 4096)
    const [cutRecord] = new BlockParser("postgres").parse(blocks[0]!.bytes).records
    expect(cutRecord).toMatchObject({ pid: 1, statement: expect.stringMatching(/^SELECT 'x+$/) })
    const rest = blocks.slice(1).flatMap((b) => new BlockParser("postgres").parse(b.bytes).records)
    expect(rest.map((r) => r.message)).toEqual(["checkpoint starting: time", "checkpoint complete"])
  })

  it("leaves out a record's long line met after the cut, and finds the record start after it", () => {
    const head = "2026-11-26 09:38:02 UTC:[local]:app@appdb:[1]:LOG:  statement: SELECT 1,\n" + "\t2,\n".repeat(500)
    const record = head + "\t'" + "y".repeat(200_000) + "'\n"
    const next = "2026-11-26 09:38:03 UTC::@:[2]:LOG:  checkpoint starting: time\n"
    const bytes = enc(record + next)
    const cuts = Array.from({ length: Math.floor(bytes.length / 4096) }, (_, i) => (i + 1) * 4096)
    const { blocks, framer, held } = frameInChunks("postgres", bytes, cuts, 1024)
    expect(joinRanges(blocks.map((b) => [b.offset, b.offset + b.bytes.length]))).toEqual([[0, 1024], [record.length, bytes.length]])
    expect(framer.leftOutBytes).toBe(record.length - 1024)
    // The long line is held only until it is known to start no record.
    expect(held).toBeLessThanOrEqual(64 * 1024 + 2 * 4096)
  })

  for (const fixture of listFixtures()) {
    it(`keeps the first bytes of each record of ${fixture.name} up to the limit, whatever the chunks`, () => {
      const whole = readFixture(fixture.name)
      const bytes = whole.subarray(0, Math.min(whole.length, 60_000))
      const bounds = recordBounds(fixture.format, bytes)
      fc.assert(
        fc.property(fc.integer({ min: 64, max: 4096 }), fc.uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 40 }), (limit, cuts) => {
          const { blocks, framer } = frameInChunks(fixture.format, bytes, cuts.sort((a, b) => a - b), limit)
          const long = bounds.filter(([start, end]) => end - start > limit)
          expect(joinRanges(blocks.map((b) => [b.offset, b.offset + b.bytes.length]))).toEqual(
            joinRanges(bounds.map(([start, end]) => [start, Math.min(end, start + limit)]))
          )
          expect(blocks.filter((b) => b.cut).map((b) => b.offset + b.bytes.length)).toEqual(long.map(([start]) => start + limit))
          for (const b of blocks) expect(b.bytes).toEqual(bytes.subarray(b.offset, b.offset + b.bytes.length))
          expect(framer.leftOutBytes).toBe(long.reduce((n, [start, end]) => n + end - start - limit, 0))
        }),
        { numRuns: 30 }
      )
    })
  }
})
