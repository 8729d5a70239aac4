/**
 * The Aurora MySQL 3 renderings and the MariaDB originals of the same workload parse to the same
 * records: same counts, same statements in the same order, same sums (the fixture README lists what
 * the Aurora format cannot carry over: MariaDB-only header fields, and `System` for four `Note`s).
 */
import { describe, expect, it } from "vitest"
import { countBy, exactSum, parseFile, readFixture } from "../testing/Fixtures.ts"
import type { LogFormat } from "../Format.ts"
import type { ParsedRecord } from "../Types.ts"

const PAIRS: ReadonlyArray<[LogFormat, string, string]> = [
  ["mysql-slow", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.08", "mariadb/mysql-slowquery.log.2026-11-26.0934"],
  ["mysql-slow", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.09", "mariadb/mysql-slowquery.log.2026-11-26.0935"],
  ["mysql-slow", "aurora-mysql/slowquery/mysql-slowquery.log", "mariadb/mysql-slowquery.log"],
  ["mysql-general", "aurora-mysql/general/mysql-general.log.2026-11-26.08", "mariadb/mysql-general.log.2026-11-26.0934"],
  ["mysql-general", "aurora-mysql/general/mysql-general.log.2026-11-26.09", "mariadb/mysql-general.log.2026-11-26.0935"],
  ["mysql-general", "aurora-mysql/general/mysql-general.log", "mariadb/mysql-general.log"],
  ["mysql-error", "aurora-mysql/error/mysql-error-running.log", "mariadb/mysql-error.log"],
  ["mysql-audit", "aurora-mysql/audit/audit.log.0.2026-11-26-09-34.0", "mariadb/server_audit.log.2"],
  ["mysql-audit", "aurora-mysql/audit/audit.log.0.2026-11-26-09-34.1", "mariadb/server_audit.log.1"],
  ["mysql-audit", "aurora-mysql/audit/audit.log.0.2026-11-26-09-35.0", "mariadb/server_audit.log"]
]

const entries = (records: ReadonlyArray<ParsedRecord>) => records.filter((r) => r.event !== "server_banner")

describe("Aurora MySQL and MariaDB renderings of the same workload", () => {
  for (const [format, aurora, mariadb] of PAIRS) {
    it(`${aurora} = ${mariadb}`, () => {
      const a = entries(parseFile(format, readFixture(aurora)))
      const m = entries(parseFile(format, readFixture(mariadb)))
      expect(a.length).toBe(m.length)
      expect(a.filter((r) => r.parse_error !== undefined)).toEqual([])
      expect(m.filter((r) => r.parse_error !== undefined)).toEqual([])
      switch (format) {
        case "mysql-slow":
          expect(a.map((r) => r.statement)).toEqual(m.map((r) => r.statement))
          expect(a.map((r) => r.fingerprint)).toEqual(m.map((r) => r.fingerprint))
          for (const field of ["query_time_s", "lock_time_s", "rows_sent", "rows_examined", "thread_id", "user", "query_start"]) {
            expect(a.map((r) => r[field]), field).toEqual(m.map((r) => r[field]))
          }
          expect(exactSum(a, "duration_ms", 3)).toBe(exactSum(m, "duration_ms", 3))
          break
        case "mysql-general":
          expect(a.map((r) => [r.thread_id, r.command, r.statement ?? r.argument, r.event])).toEqual(m.map((r) => [r.thread_id, r.command, r.statement ?? r.argument, r.event]))
          break
        case "mysql-error":
          expect(a.map((r) => r.severity === "System" ? "Note" : r.severity)).toEqual(m.map((r) => r.severity))
          expect(a.map((r) => r.thread_id)).toEqual(m.map((r) => r.thread_id))
          expect(a.map((r) => r._timestamp)).toEqual(m.map((r) => r._timestamp))
          expect(countBy(a, (r) => r.event)).toEqual(countBy(m, (r) => r.event))
          break
        case "mysql-audit":
          expect(a.map((r) => [r._timestamp, r.user, r.host, r.connection_id, r.query_id, r.operation, r.database, r.statement, r.object]))
            .toEqual(m.map((r) => [r._timestamp, r.user, r.host, r.connection_id, r.query_id, r.operation, r.database, r.statement, r.object]))
          // MariaDB leaves the retcode of table rows empty where Aurora writes 0.
          expect(a.map((r) => r.retcode ?? 0)).toEqual(m.map((r) => r.retcode ?? 0))
          break
      }
    })
  }
})
