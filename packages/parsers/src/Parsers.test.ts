/**
 * Each parser on hand-written records in the documented formats (beyond the fixtures): the fields a
 * record of each kind must give.
 */
import { describe, expect, it } from "vitest"
import { parseText } from "./testing/Fixtures.ts"


const PG = "2026-11-26 09:38:02 UTC:10.1.2.3(5432):app@appdb:[100]:"

describe("PostgreSQL stderr", () => {
  it("folds DETAIL/HINT/CONTEXT/STATEMENT into the error and moves the cursor position", () => {
    const [r, ...rest] = parseText("postgres", [
      `${PG}ERROR:  syntax error at or near "FORM" at character 10`,
      `${PG}DETAIL:  some detail`,
      `\tsecond detail line`,
      `${PG}HINT:  a hint`,
      `${PG}CONTEXT:  PL/pgSQL function f() line 3`,
      `${PG}STATEMENT:  SELECT * FORM t`,
      `\tWHERE x = 1`,
      ""
    ].join("\n"))
    expect(rest).toEqual([])
    expect(r).toMatchObject({
      severity: "ERROR", level: "error", pid: 100, user: "app", database: "appdb", client_addr: "10.1.2.3", client_port: 5432,
      message: "syntax error at or near \"FORM\"", statement_pos: 10, detail: "some detail\nsecond detail line", hint: "a hint",
      context: "PL/pgSQL function f() line 3", statement: "SELECT * FORM t\nWHERE x = 1", fingerprint: "select * form t where x = ?",
      _timestamp: Date.UTC(2026, 10, 26, 9, 38, 2) * 1000
    })
  })

  it("reads duration records of every kind, with the statement split out of the message", () => {
    const records = parseText("postgres", [
      `${PG}LOG:  duration: 0.044 ms  parse <unnamed>: SELECT abalance FROM pgbench_accounts WHERE aid = $1`,
      `${PG}LOG:  duration: 0.120 ms  bind P_1: SELECT 1`,
      `${PG}LOG:  duration: 1.5 ms  execute P_1: UPDATE t SET a = $1`,
      `${PG}DETAIL:  parameters: $1 = '5'`,
      `${PG}LOG:  duration: 81.651 ms  plan:`,
      `\tQuery Text: SELECT pg_sleep(0.08)`,
      `\tResult  (cost=0.00..0.01 rows=1 width=4)`,
      `${PG}LOG:  duration: 2.000 ms`,
      ""
    ].join("\n"))
    expect(records.map((r) => [r.duration_ms, r.duration_kind, r.prepared_name, r.statement])).toEqual([
      [0.044, "parse", "<unnamed>", "SELECT abalance FROM pgbench_accounts WHERE aid = $1"],
      [0.12, "bind", "P_1", "SELECT 1"],
      [1.5, "execute", "P_1", "UPDATE t SET a = $1"],
      [81.651, "plan", undefined, undefined],
      [2, undefined, undefined, undefined]
    ])
    expect(records[0]!.message).toBe("duration: 0.044 ms  parse <unnamed>:")
    expect(records[2]!.detail).toBe("parameters: $1 = '5'")
    expect(records[3]!.message).toBe("duration: 81.651 ms  plan:\nQuery Text: SELECT pg_sleep(0.08)\nResult  (cost=0.00..0.01 rows=1 width=4)")
    expect(records[3]!.event).toBe("auto_explain_plan")
  })

  it("recognises connections, disconnections and background processes", () => {
    const records = parseText("postgres", [
      "2026-11-26 09:38:01 UTC:127.0.0.1(33398):[unknown]@[unknown]:[16912]:LOG:  connection received: host=127.0.0.1 port=33398",
      "2026-11-26 09:38:01 UTC:127.0.0.1(33398):app@appdb:[16912]:LOG:  connection authorized: user=app database=appdb application_name=orders-service SSL enabled (protocol=TLSv1.3)",
      "2026-11-26 09:38:01 UTC:127.0.0.1(33398):app@appdb:[16912]:LOG:  disconnection: session time: 1:02:03.456 user=app database=appdb host=127.0.0.1 port=33398",
      "2026-11-26 09:38:01 UTC::@:[15665]:LOG:  checkpoint starting: time",
      ""
    ].join("\n"))
    expect(records[0]).toMatchObject({ event: "connection_received", client_addr: "127.0.0.1", client_port: 33398 })
    expect(records[0]!.user).toBeUndefined()
    expect(records[1]).toMatchObject({ event: "connection_authorized", user: "app", application_name: "orders-service" })
    expect(records[2]).toMatchObject({ event: "disconnection", session_time_ms: 3723456 })
    expect(records[3]).toMatchObject({ event: "checkpoint_starting", pid: 15665 })
    expect(records[3]!.client_addr).toBeUndefined()
  })
})

describe("MySQL error log", () => {
  it("reads MySQL 8 lines with and without a source location, 5.7, MariaDB and raw YYMMDD lines", () => {
    const records = parseText("mysql-error", [
      "2023-11-28T09:13:22.104678Z 0 [System] [MY-010116] [Server] /rdsdbbin/oscar/bin/mysqld (mysqld 8.0.28) starting as process 1234 (mysqld.cc:5943)",
      "2023-11-28T09:13:23.000000Z 42 [Note] [MY-010926] [Server] Access denied for user 'x'@'10.0.0.1' (using password: YES)",
      "2023-11-28T09:13:24.5+01:00 0 [Warning] InnoDB: a 5.7-style line",
      "*** (1) TRANSACTION:",
      "2026-11-26  9:34:01 0 [Note] InnoDB: MariaDB line",
      "261126  9:34:08 server_audit: MariaDB Audit Plugin version 1.4.14 STARTED.",
      ""
    ].join("\n"))
    expect(records).toHaveLength(5)
    expect(records[0]).toMatchObject({ severity: "System", level: "info", error_code: "MY-010116", subsystem: "Server", location: "mysqld.cc:5943", thread_id: 0,
      message: "/rdsdbbin/oscar/bin/mysqld (mysqld 8.0.28) starting as process 1234", _timestamp: Date.UTC(2023, 10, 28, 9, 13, 22) * 1000 + 104678 })
    expect(records[1]).toMatchObject({ event: "access_denied", thread_id: 42, level: "info" })
    expect(records[2]).toMatchObject({ severity: "Warning", level: "warning", subsystem: "InnoDB", message: "InnoDB: a 5.7-style line\n*** (1) TRANSACTION:",
      _timestamp: Date.UTC(2023, 10, 28, 8, 13, 24, 500) * 1000 })
    expect(records[3]).toMatchObject({ severity: "Note", subsystem: "InnoDB", _timestamp: Date.UTC(2026, 10, 26, 9, 34, 1) * 1000 })
    expect(records[4]).toMatchObject({ level: "info", subsystem: "server_audit", _timestamp: Date.UTC(2026, 10, 26, 9, 34, 8) * 1000 })
    expect(records[4]!.severity).toBeUndefined()
  })
})

describe("MySQL slow log", () => {
  it("reads log_slow_extra headers, administrator commands and MySQL 5.6 times", () => {
    const [extra, admin] = parseText("mysql-slow", [
      "# Time: 2023-11-30T07:22:10.190471Z",
      "# User@Host: admin[admin] @  [10.0.0.5]  Id:  7432",
      "# Query_time: 1.500000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 100 Thread_id: 7432 Errno: 0 Killed: 0 Bytes_received: 30 Bytes_sent: 56",
      "SET timestamp=1701328929;",
      "SELECT SLEEP(1.5);",
      "# Time: 231130  7:22:11",
      "# User@Host: rdsadmin[rdsadmin] @ localhost []  Id:     5",
      "# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0",
      "SET timestamp=1701328931;",
      "# administrator command: Ping;",
      ""
    ].join("\n"))
    expect(extra).toMatchObject({ user: "admin", client_addr: "10.0.0.5", thread_id: 7432, query_time_s: 1.5, duration_ms: 1500, rows_examined: 100,
      bytes_sent: 56, slow_errno: 0, slow_bytes_received: 30, statement: "SELECT SLEEP(1.5)", fingerprint: "select sleep(?)", query_start: 1701328929_000_000 })
    expect(admin).toMatchObject({ event: "administrator_command", command: "Ping", host: "localhost", _timestamp: Date.UTC(2023, 10, 30, 7, 22, 11) * 1000 })
  })
})

describe("MySQL general and audit logs", () => {
  it("reads Connect records and denied logins", () => {
    const [ok, denied, query] = parseText("mysql-general", [
      "2026-11-26T09:35:01.000000Z\t   57 Connect\tsbuser@127.0.0.1 on sbtest using TCP/IP",
      "2026-11-26T09:35:01.000000Z\t   60 Connect\tAccess denied for user 'ghost'@'127.0.0.1' (using password: YES)",
      "2026-11-26T09:35:01.000000Z\t   57 Query\tSELECT c FROM sbtest1 WHERE id IN (1, 2, 3)",
      ""
    ].join("\n"))
    expect(ok).toMatchObject({ command: "Connect", event: "connection_authorized", user: "sbuser", host: "127.0.0.1", database: "sbtest", transport: "TCP/IP" })
    expect(denied).toMatchObject({ command: "Connect", event: "connection_failed", thread_id: 60 })
    expect(query).toMatchObject({ command: "Query", fingerprint: "select c from sbtest1 where id in(?+)" })
  })

  it("reads table rows, failed connections and escaped queries", () => {
    const [read, failed, q] = parseText("mysql-audit", [
      "1795685701000000,aurora-1,sbuser,127.0.0.1,57,2600,READ,sbtest,sbtest1,0",
      "1795685701000000,aurora-1,ghost,127.0.0.1,60,0,FAILED_CONNECT,,,1045",
      "20261126 09:35:01,vm,webapp,localhost,58,2602,QUERY,shopdb,'INSERT INTO t VALUES (\\'a,b\\', \\'c\\\\d\\')\\nON DUPLICATE KEY UPDATE x=1',1062",
      ""
    ].join("\n"))
    expect(read).toMatchObject({ operation: "READ", object: "sbtest1", retcode: 0, database: "sbtest", serverhost: "aurora-1", connection_id: 57, query_id: 2600 })
    expect(failed).toMatchObject({ operation: "FAILED_CONNECT", event: "connection_failed", retcode: 1045, level: "warning" })
    expect(q).toMatchObject({ statement: "INSERT INTO t VALUES ('a,b', 'c\\d')\nON DUPLICATE KEY UPDATE x=1", retcode: 1062, level: "error",
      _timestamp: Date.UTC(2026, 10, 26, 9, 35, 1) * 1000 })
  })
})
