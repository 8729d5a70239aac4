/**
 * The stderr parser on excerpts of logs written by a real PostgreSQL 15 server (RDS settings), where
 * stderr writes the same event differently from csvlog and jsonlog: a lock wait's cursor position on a
 * LOG line, the long RDS prefix (alone or after a reload in the middle of a file) and
 * log_error_verbosity = verbose. Each record must give the fields the server's csvlog row gives.
 */
import { describe, expect, it } from "vitest"
import { parseBlock } from "../BlockParser.ts"
import { parseText as parseRecords } from "../testing/Fixtures.ts"
import type { ParsedRecord, ParseOptions } from "../Types.ts"
import { RDS_LOG_LINE_PREFIX_LONG } from "./Prefix.ts"

/** Parsed both ways the pipeline can (record by record, and a whole block), which must agree. */
const parseText = (text: string, options?: ParseOptions): ParsedRecord[] => {
  const records = parseRecords("postgres", text, options)
  expect(parseBlock("postgres", new TextEncoder().encode(text), options).records).toEqual(records)
  return records
}

const at = (iso: string) => Date.parse(iso) * 1000

describe("PostgreSQL stderr as written by a real server", () => {
  it("moves the cursor position of a lock wait logged while a statement is parsed", () => {
    const P = "2026-11-26 23:13:05 UTC:127.0.0.1(39550):auditor@inventory:[7605]:"
    const [waiting, acquired, ...rest] = parseText([
      `${P}LOG:  process 7605 still waiting for AccessShareLock on relation 16406 of database 16392 after 1000.188 ms at character 22`,
      `${P}DETAIL:  Process holding the lock: 7602. Wait queue: 7605.`,
      `${P}STATEMENT:  SELECT count(*) FROM wh.move`,
      `${P}LOG:  process 7605 acquired AccessShareLock on relation 16406 of database 16392 after 1351.598 ms at character 22`,
      `${P}STATEMENT:  SELECT count(*) FROM wh.move`,
      ""
    ].join("\n"))
    expect(rest).toEqual([])
    // As csvlog: message without the position, statement_position 22.
    expect(waiting).toMatchObject({
      severity: "LOG", event: "lock_waiting", statement_pos: 22, detail: "Process holding the lock: 7602. Wait queue: 7605.",
      message: "process 7605 still waiting for AccessShareLock on relation 16406 of database 16392 after 1000.188 ms",
      statement: "SELECT count(*) FROM wh.move"
    })
    expect(acquired).toMatchObject({
      event: "lock_acquired", statement_pos: 22, message: "process 7605 acquired AccessShareLock on relation 16406 of database 16392 after 1351.598 ms"
    })
  })

  it("leaves a position-like ending of a logged statement alone", () => {
    const [r] = parseText("2026-11-26 23:13:05 UTC:[local]:postgres@inventory:[7]:LOG:  statement: SELECT 1\n\t-- at character 5\n")
    expect(r).toMatchObject({ message: "statement:", statement: "SELECT 1\n-- at character 5" })
    expect(r!.statement_pos).toBeUndefined()
  })

  it("reads a file that switches between the two RDS prefixes on a reload, with the default prefix configured", () => {
    const records = parseText([
      "2026-11-26 23:14:01 UTC:[local]:postgres@postgres:[8682]:LOG:  duration: 0.349 ms  statement: select pg_reload_conf()",
      "2026-11-26 23:14:01 UTC::@:[5760]:LOG:  received SIGHUP, reloading configuration files",
      "2026-11-26 23:14:01.057 UTC::@:[5760]:8:00000:2026-11-26 23:12:02 UTC::0:6b08bcc2.1680:LOG:  parameter \"log_line_prefix\" changed to \"%m:%r:%u@%d:[%p]:%l:%e:%s:%v:%x:%c:%q%a\"",
      "2026-11-26 23:14:02.129 UTC:127.0.0.1(57426):[unknown]@[unknown]:[8712]:1:00000:2026-11-26 23:14:02 UTC::0:6b08bd3a.2208:[unknown]LOG:  connection received: host=127.0.0.1 port=57426",
      "2026-11-26 23:14:02.146 UTC:127.0.0.1(57426):shopkeeper@inventory:[8712]:5:22023:2026-11-26 23:14:02 UTC:3/407:0:6b08bd3a.2208:warehouse-apiERROR:  negative quantity -5 for stock",
      "2026-11-26 23:14:02.146 UTC:127.0.0.1(57426):shopkeeper@inventory:[8712]:6:22023:2026-11-26 23:14:02 UTC:3/407:0:6b08bd3a.2208:warehouse-apiHINT:  Use a non-negative number.",
      "2026-11-26 23:14:02.146 UTC:127.0.0.1(57426):shopkeeper@inventory:[8712]:7:22023:2026-11-26 23:14:02 UTC:3/407:0:6b08bd3a.2208:warehouse-apiSTATEMENT:  SELECT wh.outer_fn(-5);",
      ""
    ].join("\n"))
    expect(records.map((r) => r.parse_error)).toEqual([undefined, undefined, undefined, undefined, undefined])
    expect(records[0]).toMatchObject({ _timestamp: at("2026-11-26T23:14:01Z"), pid: 8682, duration_ms: 0.349, statement: "select pg_reload_conf()" })
    expect(records[1]).toMatchObject({ pid: 5760, message: "received SIGHUP, reloading configuration files" })
    // The background process stops at %q; 00000 is left out, as csvlog and jsonlog do.
    expect(records[2]).toEqual({
      _timestamp: at("2026-11-26T23:14:01.057Z"), pid: 5760, line_num: 8, session_start: at("2026-11-26T23:12:02Z"), transaction_id: 0,
      session_id: "6b08bcc2.1680", severity: "LOG", level: "info", message: "parameter \"log_line_prefix\" changed to \"%m:%r:%u@%d:[%p]:%l:%e:%s:%v:%x:%c:%q%a\""
    })
    expect(records[3]).toMatchObject({ event: "connection_received", client_addr: "127.0.0.1", client_port: 57426, line_num: 1 })
    expect(records[3]!.user).toBeUndefined()
    expect(records[4]).toMatchObject({
      _timestamp: at("2026-11-26T23:14:02.146Z"), user: "shopkeeper", database: "inventory", pid: 8712, sqlstate: "22023", application_name: "warehouse-api",
      virtual_transaction_id: "3/407", severity: "ERROR", message: "negative quantity -5 for stock", hint: "Use a non-negative number.", statement: "SELECT wh.outer_fn(-5);"
    })
  })

  it("reads the default RDS prefix with the long one configured", () => {
    const [r] = parseText("2026-11-26 23:14:01 UTC::@:[5760]:LOG:  received SIGHUP, reloading configuration files\n", { logLinePrefix: RDS_LOG_LINE_PREFIX_LONG })
    expect(r).toEqual({ _timestamp: at("2026-11-26T23:14:01Z"), pid: 5760, severity: "LOG", level: "info", message: "received SIGHUP, reloading configuration files" })
  })

  it("takes the SQLSTATE out of the message with log_error_verbosity = verbose", () => {
    const P = "2026-11-26 23:15:01 UTC:127.0.0.1(35690):shopkeeper@inventory:[10688]:"
    const records = parseText([
      `${P}LOG:  00000: duration: 0.108 ms  statement: SET application_name = 'warehouse-api';`,
      `${P}LOCATION:  exec_simple_query, postgres.c:1314`,
      `${P}ERROR:  22023: negative quantity -5 for stock`,
      `${P}DETAIL:  The requested quantity was -5.`,
      `\tSecond detail line.`,
      `${P}HINT:  Use a non-negative number.`,
      `${P}CONTEXT:  PL/pgSQL function wh.check_qty(integer) line 4 at RAISE`,
      `\tPL/pgSQL function wh.inner_fn(integer) line 4 at assignment`,
      `\tPL/pgSQL function wh.outer_fn(integer) line 3 at RETURN`,
      `${P}LOCATION:  exec_stmt_raise, pl_exec.c:3891`,
      `${P}STATEMENT:  SELECT wh.outer_fn(-5);`,
      "2026-11-26 23:15:00 UTC:[local]:postgres@postgres:[10642]:LOG:  00000: disconnection: session time: 0:00:00.016 user=postgres database=postgres host=[local]",
      "2026-11-26 23:15:00 UTC:[local]:postgres@postgres:[10642]:LOCATION:  log_disconnections, postgres.c:5087",
      ""
    ].join("\n"))
    expect(records).toHaveLength(3)
    expect(records[0]).toMatchObject({
      message: "duration: 0.108 ms  statement:", duration_ms: 0.108, duration_kind: "statement", statement: "SET application_name = 'warehouse-api';",
      location: "exec_simple_query, postgres.c:1314"
    })
    expect(records[0]!.sqlstate).toBeUndefined()
    expect(records[1]).toMatchObject({
      severity: "ERROR", sqlstate: "22023", message: "negative quantity -5 for stock", detail: "The requested quantity was -5.\nSecond detail line.",
      hint: "Use a non-negative number.", location: "exec_stmt_raise, pl_exec.c:3891", statement: "SELECT wh.outer_fn(-5);",
      context: "PL/pgSQL function wh.check_qty(integer) line 4 at RAISE\nPL/pgSQL function wh.inner_fn(integer) line 4 at assignment\nPL/pgSQL function wh.outer_fn(integer) line 3 at RETURN"
    })
    expect(records[2]).toMatchObject({ event: "disconnection", session_time_ms: 16, message: "disconnection: session time: 0:00:00.016 user=postgres database=postgres host=[local]" })
  })

  it("keeps another process's line out of the record before it (archive_command's cp)", () => {
    const P = "2026-11-27 01:09:01 CET:[local]:postgres@shop:[24556]:"
    const cp = "cp: cannot create regular file '/nonexistent/dir/00000001000000000000000A': No such file or directory"
    const records = parseText([
      `${P}LOG:  statement: INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g`,
      cp,
      "2026-11-27 01:09:01 CET::@:[24500]:LOG:  archive command failed with exit code 1",
      "2026-11-27 01:09:01 CET::@:[24500]:DETAIL:  The failed archive command was: cp pg_wal/00000001000000000000000A /nonexistent/dir/00000001000000000000000A",
      cp,
      ""
    ].join("\n"))
    expect(records).toHaveLength(2)
    // As csvlog: the statement and its fingerprint without the cp line, which is kept beside them.
    expect(records[0]).toMatchObject({
      _timestamp: at("2026-11-27T00:09:01Z"), message: "statement:", statement: "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g",
      fingerprint: "insert into big select g, md5(g::text) from generate_series(?, ?) g", stray_text: cp
    })
    expect(records[1]).toMatchObject({
      pid: 24500, message: "archive command failed with exit code 1", stray_text: cp,
      detail: "The failed archive command was: cp pg_wal/00000001000000000000000A /nonexistent/dir/00000001000000000000000A"
    })
  })

  it("leaves a message that starts like a SQLSTATE alone without verbose's LOCATION line", () => {
    const [r] = parseText("2026-11-26 23:15:01 UTC:127.0.0.1(35690):shopkeeper@inventory:[10688]:WARNING:  ABC12: from RAISE\n")
    expect(r).toMatchObject({ message: "ABC12: from RAISE" })
    expect(r!.sqlstate).toBeUndefined()
  })
})
