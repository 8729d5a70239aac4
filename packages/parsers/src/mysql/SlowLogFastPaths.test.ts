/**
 * The slow-log parser reads mysqld's own `SET timestamp=N;` line and the header numbers in place: the
 * same values as the SET_TIMESTAMP regex and Number() give, on that line and on the other SET lines
 * (several variables, no digits, signs, long numbers) that go the general way.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeParser } from "../Parser.ts"

const parser = makeParser("mysql-slow")
const HEAD = "# Time: 2026-11-26T09:34:09.000119Z\n# User@Host: root[root] @ localhost []  Id:     3\n"

/** What the regex alone reads from a SET line: the query start in microseconds, or undefined. */
function expectedStart(line: string): number | undefined {
  const m = /^SET (?:[a-z_]+=\d+,)*timestamp=(\d+)(?:,[a-z_]+=\d+)*;$/.exec(line)
  return m === null ? undefined : Number(m[1]) * 1_000_000
}

describe("slow log SET timestamp line", () => {
  const digits = fc.stringMatching(/^[0-9]{0,20}$/)
  const line = fc.oneof(
    digits.map((d) => `SET timestamp=${d};`),
    fc.tuple(digits, digits).map(([a, b]) => `SET insert_id=${a},timestamp=${b};`),
    fc.tuple(digits, digits).map(([a, b]) => `SET timestamp=${a},last_insert_id=${b};`),
    fc.constantFrom("SET timestamp=;", "SET timestamp=-5;", "SET timestamp=1 ;", "SET timestamp=12x;", "SET timestamp=1795685649;;", "SET timestamp=0x10;")
  )

  it("gives the regex's query start and timestamp", () => {
    fc.assert(fc.property(line, (set) => {
      const record = parser.parse(`${HEAD}# Query_time: 0.000119  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 0\n${set}\nselect 1;\n`)
      const start = expectedStart(set)
      expect(record.query_start).toBe(start)
      if (start === undefined) expect(record.statement).toBe(set + "\nselect 1")
      else expect(record.statement).toBe("select 1")
    }), { numRuns: 1000 })
  })

  it("reads the Query_time line's numbers as Number() does", () => {
    const amount = fc.oneof(
      fc.tuple(fc.nat(9999), fc.stringMatching(/^[0-9]{1,7}$/)).map(([w, f]) => `${w}.${f}`),
      fc.nat().map(String),
      fc.constantFrom("1e3", "-0.5", "00.100", "123456789012345678")
    )
    fc.assert(fc.property(amount, amount, amount, amount, (q, l, s, e) => {
      const record = parser.parse(`${HEAD}# Query_time: ${q}  Lock_time: ${l} Rows_sent: ${s}  Rows_examined: ${e}\nselect 1;\n`)
      expect([record.query_time_s, record.lock_time_s, record.rows_sent, record.rows_examined]).toEqual([Number(q), Number(l), Number(s), Number(e)])
    }), { numRuns: 1000 })
  })
})
