/**
 * The stderr parser's shortcuts give what the general code gives: the RDS prefix matcher on bytes
 * against the generic matcher (the same line as a Latin-1 string, which only the generic matcher
 * reads), including the lines where the shortcut gives up or fails; timestamps read in place against
 * parsePostgresTimestamp of the sliced value; durations read without Number() against Number();
 * `duration:` messages read in place in a block against the same message read alone.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeParser } from "../Parser.ts"
import { parsePostgresTimestamp, postgresTimestampAt } from "../Timestamp.ts"
import type { ParsedRecord } from "../Types.ts"
import { analyzeMessage, readDurationAt } from "./Message.ts"
import { compilePrefix, RDS_LOG_LINE_PREFIX } from "./Prefix.ts"

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")

/** Pieces of RDS prefix lines, well formed or slightly off, so that every branch of the matcher is reached. */
const piece = fc.constantFrom(
  "2026-11-26 09:37:06 UTC", "2026-11-26 09:37:06", "2026-11-26 09:37:06 ", "2026-11-26 9:37:06 UTC", "2026-1X-26 09:37:06 UTC", "2026-11-26 09:37:06 +0530",
  ":", "::", "@", ":[", "]:", "[", "]", "(", ")", " ", "\t", "\n",
  "127.0.0.1(48062)", "10.0.0.1()", "2001:db8::1(5432)", "[local]", "[loc", "host name(1)", "host(12a)", "x".repeat(310), "(",
  "app_user", "[unknown]", "é", "ü@", "pgbench", "15665", "12", "",
  "LOG:  ", "ERROR:  ", "STATEMENT:  ", "DEBUG1:  ", "LOG: ", "Log:  ", "duration: 0.073 ms  statement: SELECT 1"
)
const line = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(""))
/** Lines that mostly match: the fast path's own success path, with one field replaced by anything. */
const nearLine = fc.tuple(
  fc.constantFrom("2026-11-26 09:37:06 UTC", "2026-11-26 09:37:06 CET", "2026-11-26 09:37:06 +05"),
  fc.constantFrom("", "[local]", "127.0.0.1(48062)", "::1(5432)", "a b(1)", "host"),
  fc.constantFrom("", "app_user", "[unknown]", "a:b", "us er"),
  fc.constantFrom("", "appdb", "[unknown]", "d@b"),
  fc.constantFrom("15665", "", "1x"),
  fc.constantFrom("LOG:  hello", "STATEMENT:  SELECT 1", "WARNING:  x", "NOPE:  x", "LOG:"),
  fc.string({ maxLength: 6 })
).map(([t, r, u, d, p, rest, noise]) => `${t}:${r}:${u}@${d}:[${p}]:${rest}${noise}`)

function matchBoth(text: string) {
  const prefix = compilePrefix(RDS_LOG_LINE_PREFIX)
  const bytes = new TextEncoder().encode(text)
  // A line ends at its first "\n", as when framing.
  let end = bytes.indexOf(10)
  if (end < 0) end = bytes.length
  const fast = new Int32Array(prefix.captureSize)
  const fastOk = prefix.matchLine(bytes, 0, end, fast)
  const fastBounds = [prefix.prefixEnd, prefix.severityEnd, prefix.severity]
  const generic = new Int32Array(prefix.captureSize)
  const genericOk = prefix.matchLine(latin1(bytes), 0, end, generic)
  const genericBounds = [prefix.prefixEnd, prefix.severityEnd, prefix.severity]
  return { fastOk, genericOk, fast: fastOk ? [...fastBounds, ...fast] : [], generic: genericOk ? [...genericBounds, ...generic] : [] }
}

describe("RDS prefix matcher on bytes", () => {
  it("gives the generic matcher's answer, bounds and captures on any line", () => {
    fc.assert(fc.property(fc.oneof(line, nearLine), (text) => {
      const { fastOk, genericOk, fast, generic } = matchBoth(text)
      expect(fastOk).toBe(genericOk)
      expect(fast).toEqual(generic)
    }), { numRuns: 3000 })
  })

  it.each([
    ["2026-11-26 09:37:06 UTC:127.0.0.1(48062):app_user@appdb:[15675]:LOG:  x", true],
    ["2026-11-26 09:37:06 UTC:[local]:postgres@postgres:[15674]:LOG:  x", true],
    ["2026-11-26 09:37:06 UTC::@:[15665]:LOG:  x", true],
    // %r as free text (no "(port)"): the generic matcher decides.
    ["2026-11-26 09:37:06 UTC:some host:app@db:[1]:LOG:  x", true],
    ["2026-11-26 09:37:06 UTC:" + "h".repeat(400) + ":app@db:[1]:LOG:  x", true],
    ["2026-11-26 09:37:06 UTC:[local:app@db:[1]:LOG:  x", false],
    ["2026-11-26 09:37:06 UTC:127.0.0.1(4x):app@db:[1]:LOG:  x", false],
    ["2026-11-26 09:37:06 UTC:127.0.0.1(1):app@db:[]:LOG:  x", false],
    ["2026-11-26 09:37:06 UTC:127.0.0.1(1):app@db:[1]:LOG: x", false]
  ])("%s", (text, ok) => {
    const { fastOk, genericOk, fast, generic } = matchBoth(text)
    expect(genericOk).toBe(ok)
    expect(fastOk).toBe(ok)
    expect(fast).toEqual(generic)
  })

  it("parses values with blanks and odd remotes as the string parser does", () => {
    const parser = makeParser("postgres")
    const record = (text: string) => parser.parse(text)
    expect(record("2026-11-26 09:37:06 UTC:10.0.0.1(0):app@db:[7]:LOG:  x")).toMatchObject({ client_addr: "10.0.0.1", client_port: 0, pid: 7 })
    expect(record("2026-11-26 09:37:06 UTC:(5432):app@db:[7]:LOG:  x").client_addr).toBe("(5432)")
    expect(record("2026-11-26 09:37:06 UTC: a b :  app @ db :[7]:LOG:  x")).toMatchObject({ client_addr: "a b", user: "app", database: "db" })
    expect(record("2026-11-26 09:37:06 UTC:[local]:[unknown]@[unknown]:[7]:LOG:  x")).toMatchObject({ client_addr: "[local]" })
    expect(record("2026-11-26 09:37:06 UTC:[local]:[unknown]@[unknown]:[7]:LOG:  x").user).toBeUndefined()
  })
})

describe("postgresTimestampAt", () => {
  const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`))
  const value = fc.tuple(
    digits(4), fc.constantFrom("-", "x"), digits(2), digits(2), digits(2), digits(2), digits(2),
    fc.constantFrom("", ".1", ".123", ".1234567", "."),
    fc.constantFrom("", " UTC", " CET", " +0530", " -03", "  UTC", " UTC ", " Europe/Paris", "UTC", " \u00a0UTC", " U")
  ).map(([y, sep, mo, d, h, mi, s, f, z]) => `${y}${sep}${mo}-${d} ${h}:${mi}:${s}${f}${z}`)

  it("reads what parsePostgresTimestamp reads from the slice", () => {
    fc.assert(fc.property(fc.string({ maxLength: 4 }), value, fc.string({ maxLength: 4 }), (before, text, after) => {
      const s = before + text + after
      expect(postgresTimestampAt(s, before.length, before.length + text.length)).toBe(parsePostgresTimestamp(text))
    }), { numRuns: 3000 })
  })
})

describe("durations", () => {
  it("reads duration: X ms as Number(X)", () => {
    const amount = fc.oneof(
      fc.tuple(fc.nat(99999999), fc.stringMatching(/^[0-9]{0,9}$/)).map(([whole, fraction]) => fraction === "" ? `${whole}` : `${whole}.${fraction}`),
      fc.constantFrom("", ".5", "5.", "1e3", "-1.5", "0x10", " 1", "1.2.3", "0.000", "00012.500", "9007199254740993", "123456789012.345")
    )
    fc.assert(fc.property(amount, (ms) => {
      const record: ParsedRecord = {}
      analyzeMessage(record, `duration: ${ms} ms  statement: SELECT 1`)
      const expected = Number(ms)
      expect(record.duration_ms).toBe(Number.isFinite(expected) ? expected : undefined)
    }), { numRuns: 2000 })
  })
})

describe("duration messages read in place", () => {
  const durationPiece = fc.constantFrom(
    "0.073", "12", "1.5e3", "-1", "x", "", " ms", "ms", "  ", " ", "statement", "execute", "parse", "bind", "plan", "fastpath function call",
    ":", ": ", "<unnamed>", "S_1", "name", "SELECT 1", "select $1", "\n", "\t", "é", "x".repeat(40)
  )
  const loose = fc.array(durationPiece, { maxLength: 10 }).map((parts) => "duration: " + parts.join(""))
  /** Near the real shape, `duration: X ms  kind[ name]: text`, each part sometimes off. */
  const shaped = fc.tuple(
    fc.constantFrom("0.073", "12", "1e3", "", "x", "1".repeat(45)),
    fc.constantFrom(" ms", " ms ", "ms", " m"),
    fc.constantFrom("  ", " ", "", "\t "),
    fc.constantFrom("statement", "execute", "parse", "bind", "plan", "fastpath function call", "other", "exec"),
    fc.constantFrom("", " S_1", " <unnamed>", " ", " a b", " \n:"),
    fc.constantFrom(": ", ":", "", " :", ":\n"),
    fc.constantFrom("SELECT 1", "", " x", "a: b", "é")
  ).map((parts) => "duration: " + parts.join(""))
  const message = fc.oneof(loose, shaped)

  it("gives the fields of the message alone, in the same order, when the message is held in a larger text", () => {
    fc.assert(fc.property(message, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (text, before, after) => {
      const expected: ParsedRecord = {}
      expected.message = text
      analyzeMessage(expected, text)
      const actual: ParsedRecord = {}
      readDurationAt(actual, before + text + after, before.length, before.length + text.length)
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected))
    }), { numRuns: 5000 })
  })

  it("reads the usual shapes, in place", () => {
    const cases: ReadonlyArray<readonly [string, ParsedRecord]> = [
      ["duration: 0.073 ms  statement: SELECT 1", { message: "duration: 0.073 ms  statement:", duration_ms: 0.073, duration_kind: "statement", statement: "SELECT 1" }],
      ["duration: 0.073 ms  execute S_1: SELECT $1", { message: "duration: 0.073 ms  execute S_1:", duration_ms: 0.073, prepared_name: "S_1", duration_kind: "execute", statement: "SELECT $1" }],
      ["duration: 0.073 ms  execute <unnamed>:SELECT 1", { message: "duration: 0.073 ms  execute <unnamed>:", duration_ms: 0.073, prepared_name: "<unnamed>", duration_kind: "execute", statement: "SELECT 1" }],
      ["duration: 0.073 ms  bind S_1: SELECT 1", { message: "duration: 0.073 ms  bind S_1:", duration_ms: 0.073, prepared_name: "S_1", duration_kind: "bind", statement: "SELECT 1" }],
      ["duration: 0.073 ms  plan:\nQuery Text: SELECT 1", { message: "duration: 0.073 ms  plan:\nQuery Text: SELECT 1", duration_ms: 0.073, duration_kind: "plan", event: "auto_explain_plan" }],
      ["duration: 0.073 ms  fastpath function call: f", { message: "duration: 0.073 ms  fastpath function call:", duration_ms: 0.073, duration_kind: "fastpath", statement: "f" }],
      ["duration: 0.073 ms", { message: "duration: 0.073 ms", duration_ms: 0.073 }],
      // No ": " after the prepared statement's name: not a statement.
      ["duration: 0.073 ms  execute S_1 SELECT 1", { message: "duration: 0.073 ms  execute S_1 SELECT 1", duration_ms: 0.073 }],
      ["duration: x ms  statement: SELECT 1", { message: "duration: x ms  statement: SELECT 1" }]
    ]
    for (const [text, expected] of cases) {
      const actual: ParsedRecord = {}
      readDurationAt(actual, "LOG:  " + text + "\nnext: 1 ms", 6, 6 + text.length)
      expect(JSON.stringify(actual)).toBe(JSON.stringify(expected))
    }
  })
})
