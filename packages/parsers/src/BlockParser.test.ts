/**
 * parseBlock gives exactly the records of recordBounds + Buffer#toString("utf8") + makeParser, with
 * their byte offsets: on every fixture, on random cuts of them, and on blocks with non-ASCII text,
 * invalid UTF-8, CRLF line ends and RDS's truncation tail mixed in.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseBlock } from "./BlockParser.ts"
import type { LogFormat } from "./Format.ts"
import { recordBounds } from "./Framer.ts"
import { makeParser } from "./Parser.ts"
import { RDS_LOG_LINE_PREFIX_LONG } from "./postgres/Prefix.ts"
import { TRUNCATION_MARKER } from "./Record.ts"
import { listFixtures, readFixture } from "./testing/Fixtures.ts"
import type { ParseOptions } from "./Types.ts"

function reference(format: LogFormat, bytes: Uint8Array, options?: ParseOptions) {
  const parser = makeParser(format, options)
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const bounds = recordBounds(format, bytes, options)
  return { records: bounds.map(([s, e]) => parser.parse(buffer.toString("utf8", s, e))), offsets: bounds.map(([s]) => s) }
}

function expectSame(format: LogFormat, bytes: Uint8Array, options?: ParseOptions): void {
  const block = parseBlock(format, bytes, options)
  const expected = reference(format, bytes, options)
  expect(block.offsets).toEqual(expected.offsets)
  // Same fields in the same order, as the NDJSON shows them.
  expect(block.records.map((r) => JSON.stringify(r))).toEqual(expected.records.map((r) => JSON.stringify(r)))
}

const fixtures = listFixtures()
const OPTIONS: ReadonlyArray<ParseOptions | undefined> = [undefined, { redact: false }, { redactPatterns: [/tok_[a-z0-9]+/] }]

describe("parseBlock", () => {
  for (const fixture of fixtures) {
    it(`gives the records of recordBounds + makeParser on ${fixture.name}`, () => {
      const bytes = readFixture(fixture.name)
      for (const options of OPTIONS) expectSame(fixture.format, bytes, options)
      // A Node Buffer view, as the pipeline holds them.
      expectSame(fixture.format, Buffer.from(bytes), undefined)
    })
  }

  it("gives the same records on random cuts of every fixture", () => {
    const files = fixtures.map((f) => ({ format: f.format, bytes: readFixture(f.name) }))
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(40_000), (which, at, length) => {
        const { format, bytes } = files[which]!
        const start = Math.floor(at * bytes.length)
        expectSame(format, bytes.subarray(start, Math.min(bytes.length, start + length)))
      }),
      { numRuns: 200 }
    )
  })

  /** Fixture text with odd bytes spliced in at random places. */
  const SPLICES: ReadonlyArray<Uint8Array> = [
    Buffer.from("é"), Buffer.from("東京"), Buffer.from("😀"), Uint8Array.of(0xff), Uint8Array.of(0xe2, 0x82), Uint8Array.of(0xc3),
    Uint8Array.of(0), Buffer.from("\r"), Buffer.from("\r\n"), Buffer.from("\n"), Buffer.from("\t"), Buffer.from(TRUNCATION_MARKER + "\n"),
    Buffer.from(" password 'hunter2' "), Buffer.from("IDENTIFIED BY 's3cret'"), Buffer.from("\"\\"),
    Buffer.from("2026-11-26 09:39:01 UTC:[local]:app@db:[1]:LOG:  "), Buffer.from("2026-11-26 09:39:01 UTC:[local]:app@db:[1]:DETAIL:  "),
    // Slow-log lines, whole or cut (the slow log reads a record in place, up to its end in the block).
    Buffer.from("# Time: 2026-11-26T09:34:09.000119Z\n"), Buffer.from("# User@Host: app[app] @ h [10.0.0.1]  Id: 7\n"), Buffer.from("# User@Host:"),
    Buffer.from("# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 1  Rows_examined: 2\n"), Buffer.from("# Query_time:"), Buffer.from("use db;\n"),
    Buffer.from("use"), Buffer.from("SET timestamp=1795685649;\n"), Buffer.from("SET"), Buffer.from("# administrator command: Quit;\n"), Buffer.from("# Schema: db")
  ]

  const splicedProperty = (files: ReadonlyArray<{ format: LogFormat; bytes: Uint8Array }>) =>
    fc.property(
      fc.nat(files.length - 1), fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(20_000),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(SPLICES.length - 1)), { maxLength: 12 }),
      (which, at, length, splices) => {
        const { format, bytes } = files[which]!
        const start = Math.floor(at * bytes.length)
        let block = Buffer.from(bytes.subarray(start, Math.min(bytes.length, start + length)))
        for (const [where, what] of splices) {
          const k = Math.floor(where * block.length)
          block = Buffer.concat([block.subarray(0, k), SPLICES[what]!, block.subarray(k)])
        }
        expectSame(format, block)
        expectSame(format, block, { redact: false })
      }
    )

  it("gives the same slow-log records when header lines, whole or cut, and odd bytes are mixed in", () => {
    const files = fixtures.filter((f) => f.format === "mysql-slow").map((f) => ({ format: f.format, bytes: readFixture(f.name) }))
    fc.assert(splicedProperty(files), { numRuns: 300 })
  })

  it("gives the same records when non-ASCII text, invalid UTF-8, CR and truncation tails are mixed in", () => {
    const files = fixtures.filter((f) => f.format !== "postgres-json").map((f) => ({ format: f.format, bytes: readFixture(f.name) }))
    fc.assert(splicedProperty(files), { numRuns: 300 })
  })

  it("reads slow-log records cut just before a blank, where RDS's truncation tail (which begins with one) follows", () => {
    const head = ["# Time: 2026-11-26T09:34:09.000119Z", "# User@Host: app[app] @ h [10.0.0.1]  Id: 7", "# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 1  Rows_examined: 2"]
    const cuts = ["# Time:", "# User@Host:", "# Query_time:", "# Schema:", "use", "SET", "# administrator command:", "select 1"]
    for (const cut of cuts) {
      for (let lines = 0; lines <= head.length; lines++) {
        const record = [...head.slice(0, lines), cut].join("\n")
        for (const end of [TRUNCATION_MARKER + "\n", TRUNCATION_MARKER + "\r\n", "\r\n", ""]) {
          for (const options of OPTIONS) expectSame("mysql-slow", Buffer.from(record + end + record + end), options)
        }
      }
    }
  })

  it("follows a custom log_line_prefix", () => {
    const lines = [
      "2026-11-26 09:39:01.123 UTC:10.0.0.1(5432):app@db:[42]:1:00000:2026-11-26 09:00:00 UTC:3/7:0:6570f1a2.2a:psql LOG:  duration: 1.5 ms  statement: SELECT 1",
      "2026-11-26 09:39:01.124 UTC:10.0.0.1(5432):app@db:[42]:2:00000:2026-11-26 09:00:00 UTC:3/7:0:6570f1a2.2a:psql ERROR:  relation \"é\" does not exist at character 15",
      "2026-11-26 09:39:01.124 UTC:10.0.0.1(5432):app@db:[42]:3:00000:2026-11-26 09:00:00 UTC:3/7:0:6570f1a2.2a:psql STATEMENT:  SELECT * FROM é",
      "2026-11-26 09:39:02.000 UTC:::[7]:1:00000:2026-11-26 09:00:00 UTC::0:6570f1a2.7:LOG:  checkpoint starting: time",
      ""
    ].join("\n")
    expectSame("postgres", Buffer.from(lines), { logLinePrefix: RDS_LOG_LINE_PREFIX_LONG })
  })

  it("gives nothing for an empty block", () => {
    expect(parseBlock("postgres", new Uint8Array(0))).toEqual({ records: [], offsets: [] })
    expect(parseBlock("mysql-slow", new Uint8Array(0))).toEqual({ records: [], offsets: [] })
  })
})
