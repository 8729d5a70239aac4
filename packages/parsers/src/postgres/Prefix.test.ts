/** log_line_prefix compilation: the RDS prefixes and other common ones, on bytes and on strings alike. */
import { describe, expect, it } from "vitest"
import { parseBlock } from "../BlockParser.ts"
import { makeParser } from "../Parser.ts"
import { recordStarts } from "../RecordStarts.ts"
import { RDS_LOG_LINE_PREFIX_LONG } from "./Prefix.ts"

const enc = new TextEncoder()

/** The lines as a file: the index of each line that starts a record, and the block's records. */
const frameAndParse = (lines: ReadonlyArray<string>, options: { readonly logLinePrefix: string }) => {
  const text = lines.join("\n")
  const bytes = enc.encode(text)
  const starts = recordStarts("postgres", bytes, 0, bytes.length, options).map((at) => lines.findIndex((line) => text.indexOf(line) === at))
  return { starts, records: parseBlock("postgres", bytes, options).records }
}

describe("PostgreSQL stderr with other prefixes", () => {
  it("reads the second RDS prefix, for sessions and for background processes (%q)", () => {
    const options = { logLinePrefix: RDS_LOG_LINE_PREFIX_LONG }
    const session = "2026-11-26 09:39:01.123 UTC:10.1.2.3(40000):app@appdb:[4242]:7:22012:2026-11-26 09:38:00 UTC:3/12:0:6b07fe35.42b0:orders-serviceERROR:  division by zero"
    const background = "2026-11-26 09:39:02.000 UTC::@:[15665]:3:00000:2026-11-26 09:37:05 UTC:::6b07fdc1.3d31:LOG:  checkpoint starting: time"
    const text = session + "\n" + session.replace("ERROR:  division by zero", "STATEMENT:  SELECT 1/0") + "\n" + background + "\n"
    const bytes = enc.encode(text)
    expect(recordStarts("postgres", bytes, 0, bytes.length, options)).toEqual([0, text.indexOf(background)])
    const parser = makeParser("postgres", options)
    const first = parser.parse(text.slice(0, text.indexOf(background)))
    expect(first).toMatchObject({
      _timestamp: Date.UTC(2026, 10, 26, 9, 39, 1, 123) * 1000, client_addr: "10.1.2.3", client_port: 40000, user: "app",
      database: "appdb", pid: 4242, line_num: 7, sqlstate: "22012", session_id: "6b07fe35.42b0", application_name: "orders-service",
      severity: "ERROR", level: "error", message: "division by zero", statement: "SELECT 1/0", fingerprint: "select ?/?"
    })
    const second = parser.parse(background)
    expect(second).toMatchObject({ pid: 15665, severity: "LOG", event: "checkpoint_starting", session_id: "6b07fdc1.3d31" })
    expect(second.application_name).toBeUndefined()
  })

  it("reads RDS's default prefix after a reload that resets another prefix in the middle of a file", () => {
    // A PostgreSQL 15 server logging with '%m [%p] %b: %q%u@%d/%a: ' (log_timezone Australia/Lord_Howe),
    // then ALTER SYSTEM RESET log_line_prefix and pg_reload_conf().
    const options = { logLinePrefix: "%m [%p] %b: %q%u@%d/%a: " }
    const lines = [
      "2026-11-27 11:06:17.650 +11 [14408] postmaster: LOG:  received SIGHUP, reloading configuration files",
      "2026-11-27 11:06:17 +11::@:[14408]:LOG:  parameter \"log_line_prefix\" changed to \"%t:%r:%u@%d:[%p]:\"",
      "2026-11-27 11:06:29 +11::@:[21579]:LOG:  automatic analyze of table \"shop.public.orders\"",
      "\tavg read rate: 0.000 MB/s, avg write rate: 0.201 MB/s",
      "2026-11-27 11:07:00 +11:[local]:[unknown]@[unknown]:[21951]:LOG:  connection received: host=[local]",
      ""
    ]
    const { starts, records } = frameAndParse(lines, options)
    expect(starts).toEqual([0, 1, 2, 4])
    expect(records.map((r) => r.message)).toEqual([
      "received SIGHUP, reloading configuration files", "parameter \"log_line_prefix\" changed to \"%t:%r:%u@%d:[%p]:\"",
      "automatic analyze of table \"shop.public.orders\"\navg read rate: 0.000 MB/s, avg write rate: 0.201 MB/s", "connection received: host=[local]"
    ])
    expect(records[0]).toMatchObject({ pid: 14408, backend_type: "postmaster", _timestamp: Date.UTC(2026, 10, 27, 0, 6, 17, 650) * 1000 })
    expect(records[2]).toMatchObject({ pid: 21579, event: "autoanalyze", _timestamp: Date.UTC(2026, 10, 27, 0, 6, 29) * 1000 })
    expect(records[3]).toMatchObject({ pid: 21951, client_addr: "[local]", event: "connection_received" })
    expect(records[3]!.backend_type).toBeUndefined()
  })

  it("gives a background process (%q) no fields from its message text", () => {
    const line = "2026-11-27 05:51:00.703 +0545 [14408] postmaster: LOG:  parameter \"log_line_prefix\" changed to \"%m [%p] %b: %q%u@%d/%a: \"\n"
    const options = { logLinePrefix: "%m [%p] %b: %q%u@%d/%a: " }
    // csvlog's row of the same event has no user, database or application_name.
    const expected = {
      _timestamp: Date.UTC(2026, 10, 27, 0, 6, 0, 703) * 1000, pid: 14408, backend_type: "postmaster", severity: "LOG", level: "info",
      message: "parameter \"log_line_prefix\" changed to \"%m [%p] %b: %q%u@%d/%a: \""
    }
    expect(makeParser("postgres", options).parse(line)).toEqual(expected)
    expect(parseBlock("postgres", enc.encode(line), options).records).toEqual([expected])
  })

  it("reads padded escapes by their width: a value with spaces, an absent value, a longer value", () => {
    // PostgreSQL 15 with log_line_prefix = '%-20a %10p ' and log_min_messages = debug2: %a is padded to
    // 20 columns after the value, %p to 10 before it; a background process has no %a, only spaces.
    const options = { logLinePrefix: "%-20a %10p " }
    const lines = [
      "psql                      12600 LOG:  disconnection: session time: 0:00:00.003 user=postgres database=postgres host=[local]",
      "                          12332 DEBUG:  server process (PID 12600) exited with exit code 0",
      "[unknown]                 12604 LOG:  connection authorized: user=app database=shop application_name=app p7",
      "app p7                    12604 LOG:  duration: 0.162 ms  statement: SET client_min_messages = debug5;",
      "app p7                    12604 ERROR:  relation \"nosuchtable\" does not exist at character 15",
      "app p7                    12604 STATEMENT:  SELECT * FROM nosuchtable;",
      // An application_name longer than the width is written whole.
      "orders service, worker 7      12605 LOG:  disconnection: session time: 0:00:00.010 user=app database=shop host=127.0.0.1 port=35290",
      ""
    ]
    const { starts, records } = frameAndParse(lines, options)
    expect(starts).toEqual([0, 1, 2, 3, 4, 6])
    expect(records.map((r) => [r.pid, r.application_name, r.severity])).toEqual([
      [12600, "psql", "LOG"], [12332, undefined, "DEBUG"], [12604, "app p7", "LOG"], [12604, "app p7", "LOG"], [12604, "app p7", "ERROR"],
      [12605, "orders service, worker 7", "LOG"]
    ])
    expect(records[4]).toMatchObject({ statement: "SELECT * FROM nosuchtable;", statement_pos: 15 })
    expect(records.every((r) => r.stray_text === undefined)).toBe(true)
    const left = "2026-11-27 00:35:42.622 UTC 12604      app p7               LOG:  connection received: host=127.0.0.1 port=35274\n"
    expect(makeParser("postgres", { logLinePrefix: "%m %-10p %-20a " }).parse(left)).toMatchObject({ pid: 12604, application_name: "app p7", severity: "LOG" })
  })

  it.each([
    ["%m [%p] ", "2026-11-26 09:39:01.123 CET [77] LOG:  statement: SELECT 1", { pid: 77, _timestamp: Date.UTC(2026, 10, 26, 8, 39, 1, 123) * 1000 }],
    ["%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ", "2026-11-26 09:39:01 +0530 [77]: [3-1] user=bob,db=shop,app=psql,client=10.0.0.9 LOG:  statement: SELECT 1",
      { pid: 77, line_num: 3, user: "bob", database: "shop", application_name: "psql", client_addr: "10.0.0.9", _timestamp: Date.UTC(2026, 10, 26, 4, 9, 1) * 1000 }],
    ["%n|%p|%u|%d|", "1795685941.250|77|bob|shop|LOG:  statement: SELECT 1", { pid: 77, user: "bob", _timestamp: 1795685941250000 }],
    ["%t:%r:%u@%d:[%p]:", "2026-11-26 09:39:01 UTC:2001:db8::1(5432):bob@shop:[77]:LOG:  statement: SELECT 1", { client_addr: "2001:db8::1", client_port: 5432 }]
  ])("prefix %s", (prefix, line, expected) => {
    const bytes = enc.encode(line + "\n")
    expect(recordStarts("postgres", bytes, 0, bytes.length, { logLinePrefix: prefix })).toEqual([0])
    const record = makeParser("postgres", { logLinePrefix: prefix }).parse(line + "\n")
    expect(record).toMatchObject({ ...expected, severity: "LOG", statement: "SELECT 1" })
  })
})
