/**
 * Generated records rendered in each format parse back to themselves (property tests), and the same
 * statement gives the same fingerprint in every format.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LogFormat } from "./Format.ts"
import { recordBounds } from "./Framer.ts"
import { makeParser } from "./Parser.ts"
import type { ParsedRecord } from "./Types.ts"
import { RDS_LOG_LINE_PREFIX_LONG } from "./postgres/Prefix.ts"

const RUNS = { numRuns: 300 }
const enc = new TextEncoder()
const dec = new TextDecoder()

/** Parses a rendered file and returns its records (checking the framing found exactly `expected` of them). */
function parseRendered(format: LogFormat, text: string, options?: { logLinePrefix?: string }): ParsedRecord[] {
  const bytes = enc.encode(text)
  const parser = makeParser(format, { redact: false, ...options })
  return recordBounds(format, bytes, options).map(([s, e]) => parser.parse(dec.decode(bytes.subarray(s, e))))
}

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/)
/** One line of free text: printable, no line breaks, not starting or ending with blanks. */
const textLine = fc.stringMatching(/^[A-Za-z][ -~\u00e9\u6771\u4eac]{0,60}[A-Za-z.)]$/)
const multiLineText = fc.array(textLine, { minLength: 1, maxLength: 4 }).map((lines) => lines.join("\n"))
const epochSeconds = fc.integer({ min: 1_600_000_000, max: 1_900_000_000 })
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."))
const pad = (n: number, w = 2) => String(n).padStart(w, "0")
const pgTime = (s: number) => {
  const d = new Date(s * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}
const isoTime = (s: number) => new Date(s * 1000).toISOString().replace(".000Z", ".000000Z")

const pgEvent = fc.record({
  time: epochSeconds,
  pid: fc.integer({ min: 1, max: 4_000_000 }),
  user: word,
  database: word,
  host: ipv4,
  port: fc.integer({ min: 1, max: 65535 }),
  severity: fc.constantFrom("LOG", "ERROR", "WARNING", "NOTICE", "FATAL"),
  message: multiLineText,
  detail: fc.option(multiLineText, { nil: undefined }),
  hint: fc.option(textLine, { nil: undefined }),
  statement: fc.option(multiLineText, { nil: undefined })
})
type PgEvent = typeof pgEvent extends fc.Arbitrary<infer T> ? T : never

const tabbed = (s: string) => s.replace(/\n/g, "\n\t")

function renderStderr(events: PgEvent[], long: boolean): string {
  return events.map((e) => {
    const prefix = long
      ? `${pgTime(e.time)}.000 UTC:${e.host}(${e.port}):${e.user}@${e.database}:[${e.pid}]:1:00000:${pgTime(e.time)} UTC:3/1:0:6b07fe34.42aa:app`
      : `${pgTime(e.time)} UTC:${e.host}(${e.port}):${e.user}@${e.database}:[${e.pid}]:`
    let out = `${prefix}${e.severity}:  ${tabbed(e.message)}\n`
    if (e.detail !== undefined) out += `${prefix}DETAIL:  ${tabbed(e.detail)}\n`
    if (e.hint !== undefined) out += `${prefix}HINT:  ${tabbed(e.hint)}\n`
    if (e.statement !== undefined) out += `${prefix}STATEMENT:  ${tabbed(e.statement)}\n`
    return out
  }).join("")
}

const csvQuote = (s: string | undefined) => (s === undefined ? "" : `"${s.replace(/"/g, "\"\"")}"`)

function renderCsv(events: PgEvent[]): string {
  return events.map((e) => [
    `${pgTime(e.time)}.000 UTC`, csvQuote(e.user), csvQuote(e.database), e.pid, csvQuote(`${e.host}:${e.port}`), "6b07fe34.42aa", 1, "SELECT",
    `${pgTime(e.time)} UTC`, "3/1", 0, e.severity, "00000", csvQuote(e.message), csvQuote(e.detail), csvQuote(e.hint), "", "", "",
    csvQuote(e.statement), "", "", csvQuote("app"), csvQuote("client backend"), "", 0
  ].join(",") + "\n").join("")
}

function renderJson(events: PgEvent[]): string {
  return events.map((e) => JSON.stringify({
    timestamp: `${pgTime(e.time)}.000 UTC`, user: e.user, dbname: e.database, pid: e.pid, remote_host: e.host, remote_port: e.port,
    error_severity: e.severity, message: e.message, detail: e.detail, hint: e.hint, statement: e.statement
  }) + "\n").join("")
}

const expectedPg = (e: PgEvent): ParsedRecord => {
  const r: ParsedRecord = {
    _timestamp: e.time * 1_000_000, pid: e.pid, user: e.user, database: e.database, client_addr: e.host, client_port: e.port,
    severity: e.severity, message: e.message
  }
  if (e.detail !== undefined) r.detail = e.detail
  if (e.hint !== undefined) r.hint = e.hint
  if (e.statement !== undefined) r.statement = e.statement
  return r
}

const pick = (r: ParsedRecord, like: ParsedRecord) => Object.fromEntries(Object.keys(like).map((k) => [k, r[k]]))

describe("generated PostgreSQL events parse back to themselves", () => {
  const cases: Array<[string, LogFormat, (events: PgEvent[]) => string, { logLinePrefix?: string } | undefined]> = [
    ["stderr, RDS prefix", "postgres", (ev) => renderStderr(ev, false), undefined],
    ["stderr, second RDS prefix", "postgres", (ev) => renderStderr(ev, true), { logLinePrefix: RDS_LOG_LINE_PREFIX_LONG }],
    ["csvlog", "postgres-csv", renderCsv, undefined],
    ["jsonlog", "postgres-json", renderJson, undefined]
  ]
  for (const [name, format, render, options] of cases) {
    it(name, () => {
      fc.assert(fc.property(fc.array(pgEvent, { minLength: 1, maxLength: 6 }), (events) => {
        const records = parseRendered(format, render(events), options)
        expect(records.length).toBe(events.length)
        records.forEach((r, i) => {
          const want = expectedPg(events[i]!)
          expect(pick(r, want)).toEqual(want)
          expect(r.parse_error).toBeUndefined()
        })
      }), RUNS)
    })
  }
})

describe("generated MySQL records parse back to themselves", () => {
  it("error log (MySQL 8, with and without a source location)", () => {
    const entry = fc.record({
      time: epochSeconds, thread: fc.nat(100000), label: fc.constantFrom("System", "Warning", "Note", "ERROR"),
      code: fc.integer({ min: 10000, max: 19999 }), subsystem: fc.constantFrom("Server", "InnoDB", "Repl"), message: multiLineText,
      location: fc.option(fc.tuple(word, fc.integer({ min: 1, max: 9999 })), { nil: undefined })
    })
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
      const text = entries.map((e) => {
        const [first, ...rest] = e.message.split("\n")
        const loc = e.location === undefined ? "" : ` (${e.location[0]}.cc:${e.location[1]})`
        return [`${isoTime(e.time)} ${e.thread} [${e.label}] [MY-0${e.code}] [${e.subsystem}] ${first}${loc}`, ...rest].join("\n") + "\n"
      }).join("")
      const records = parseRendered("mysql-error", text)
      expect(records.length).toBe(entries.length)
      records.forEach((r, i) => {
        const e = entries[i]!
        expect(pick(r, { _timestamp: 0, thread_id: 0, severity: "", error_code: "", subsystem: "", message: "" })).toEqual({
          _timestamp: e.time * 1_000_000, thread_id: e.thread, severity: e.label, error_code: `MY-0${e.code}`, subsystem: e.subsystem, message: e.message
        })
        expect(r.location).toBe(e.location === undefined ? undefined : `${e.location[0]}.cc:${e.location[1]}`)
      })
    }), RUNS)
  })

  it("slow log (MySQL 8 and MariaDB headers, with a trap line inside the statement)", () => {
    const entry = fc.record({
      time: epochSeconds, user: word, host: ipv4, id: fc.integer({ min: 1, max: 99999 }),
      queryTime: fc.integer({ min: 0, max: 99_999_999 }), lockTime: fc.integer({ min: 0, max: 999_999 }),
      sent: fc.nat(100000), examined: fc.nat(1000000), schema: fc.option(word, { nil: undefined }),
      statement: fc.tuple(multiLineText, fc.boolean()).map(([s, trap]) => (trap ? `SELECT '${s}\n# Query_time: 99.000000  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 999999\n'` : `SELECT ${s}`)),
      mariadb: fc.boolean()
    })
    const secs = (micros: number) => (micros / 1e6).toFixed(6)
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
      const text = entries.map((e) => {
        const lines = e.mariadb
          ? [`# User@Host: ${e.user}[${e.user}] @  [${e.host}]`, `# Thread_id: ${e.id}  Schema: ${e.schema ?? ""}  QC_hit: No`,
            `# Query_time: ${secs(e.queryTime)}  Lock_time: ${secs(e.lockTime)}  Rows_sent: ${e.sent}  Rows_examined: ${e.examined}`,
            `# Rows_affected: 0  Bytes_sent: 11`]
          : [`# Time: ${isoTime(e.time)}`, `# User@Host: ${e.user}[${e.user}] @  [${e.host}]  Id: ${String(e.id).padStart(5)}`,
            `# Query_time: ${secs(e.queryTime)}  Lock_time: ${secs(e.lockTime)} Rows_sent: ${e.sent}  Rows_examined: ${e.examined}`]
        if (e.schema !== undefined) lines.push(e.mariadb ? `use \`${e.schema}\`;` : `use ${e.schema};`)
        lines.push(`SET timestamp=${e.time};`, `${e.statement};`)
        return lines.join("\n") + "\n"
      }).join("")
      const records = parseRendered("mysql-slow", text)
      expect(records.length).toBe(entries.length)
      records.forEach((r, i) => {
        const e = entries[i]!
        expect(r).toMatchObject({
          _timestamp: e.time * 1_000_000, user: e.user, client_addr: e.host, thread_id: e.id, query_time_s: e.queryTime / 1e6,
          lock_time_s: e.lockTime / 1e6, rows_sent: e.sent, rows_examined: e.examined, statement: e.statement
        })
        expect(r.schema).toBe(e.schema)
      })
    }), RUNS)
  })

  it("general log (MySQL 8 ISO lines and MariaDB timestamp / tab-tab lines)", () => {
    const entry = fc.record({
      time: epochSeconds, thread: fc.integer({ min: 1, max: 99999 }), command: fc.constantFrom("Query", "Quit", "Init DB", "Prepare"),
      argument: multiLineText, form: fc.constantFrom("iso", "mariadb-time", "mariadb-tabs")
    })
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
      const text = entries.map((e) => {
        const d = new Date(e.time * 1000)
        const short = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${String(d.getUTCHours()).padStart(2)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
        const head = e.form === "iso" ? `${isoTime(e.time)}\t${String(e.thread).padStart(5)} ` : e.form === "mariadb-time" ? `${short}\t${String(e.thread).padStart(6)} ` : `\t\t${String(e.thread).padStart(6)} `
        return `${head}${e.command}\t${e.argument}\n`
      }).join("")
      const records = parseRendered("mysql-general", text)
      expect(records.length).toBe(entries.length)
      records.forEach((r, i) => {
        const e = entries[i]!
        expect(r.thread_id).toBe(e.thread)
        expect(r.command).toBe(e.command)
        expect(r._timestamp).toBe(e.form === "mariadb-tabs" ? undefined : e.time * 1_000_000)
        expect(r.statement ?? r.argument).toBe(e.argument)
      })
    }), RUNS)
  })

  it("audit log (Aurora epoch microseconds and MariaDB time, quoted queries with escapes, commas and newlines)", () => {
    const entry = fc.record({
      micros: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }).map((s) => s * 1_000_000 + 123456),
      user: word, host: ipv4, conn: fc.nat(1_000_000), queryId: fc.nat(1_000_000), database: fc.option(word, { nil: undefined }),
      query: fc.stringMatching(/^[ -~\n\u00fc]{1,80}$/), retcode: fc.constantFrom(0, 1054, 1213), aurora: fc.boolean()
    })
    const escape = (s: string) => s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
      const text = entries.map((e) => {
        const d = new Date(e.micros / 1000)
        const time = e.aurora ? String(e.micros) : `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
        return `${time},instance-1,${e.user},${e.host},${e.conn},${e.queryId},QUERY,${e.database ?? ""},'${escape(e.query)}',${e.retcode}\n`
      }).join("")
      const records = parseRendered("mysql-audit", text)
      expect(records.length).toBe(entries.length)
      records.forEach((r, i) => {
        const e = entries[i]!
        expect(r).toMatchObject({
          _timestamp: e.aurora ? e.micros : Math.floor(e.micros / 1e6) * 1e6, serverhost: "instance-1", user: e.user, host: e.host,
          connection_id: e.conn, query_id: e.queryId, operation: "QUERY", statement: e.query, retcode: e.retcode
        })
        expect(r.database).toBe(e.database)
      })
    }), RUNS)
  })
})
