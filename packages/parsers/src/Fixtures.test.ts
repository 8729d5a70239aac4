/**
 * The parsers against every fixture of packages/testkit/fixtures and its ground truth: record counts,
 * severities, durations, connections, slow-log sums, general-log commands and audit operations, exact.
 * For PostgreSQL stderr the truth's `events` convention applies (DETAIL/HINT/... folded in).
 */
import { describe, expect, it } from "vitest"
import { countBy, exactSum, listFixtures, parseFile, readFixture, readTruth } from "./testing/Fixtures.ts"
import type { ParsedRecord } from "./Types.ts"

const fixtures = listFixtures()
const withoutEmpty = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([k]) => k !== ""))
const notBanner = (r: ParsedRecord) => r.event !== "server_banner"

describe("fixture corpus", () => {
  it("has every format", () => {
    expect(new Set(fixtures.map((f) => f.format)).size).toBe(7)
  })

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const truth = readTruth(fixture.name)
      const records = parseFile(fixture.format, readFixture(fixture.name))

      it("parses every record without a parse error", () => {
        expect(records.filter((r) => r.parse_error !== undefined)).toEqual([])
      })

      if (fixture.format === "postgres" || fixture.format === "postgres-csv" || fixture.format === "postgres-json") {
        const stderr = fixture.format === "postgres"
        it("gives the truth's record count and severities", () => {
          expect(records.length).toBe(stderr ? truth.records.convention_events : truth.rows)
          expect(countBy(records, (r) => r.severity)).toEqual(stderr ? truth.severity_convention_events : truth.severity)
        })
        it("gives the truth's duration count, sum and kinds", () => {
          const timed = records.filter((r) => r.duration_ms !== undefined)
          expect(timed.length).toBe(truth.duration.records)
          expect(exactSum(timed, "duration_ms", 3)).toBe(truth.duration.sum_ms)
          const kinds = countBy(timed, (r) => r.duration_kind)
          expect(kinds).toEqual(Object.fromEntries(Object.entries(truth.duration.by_kind as Record<string, { count: number }>).map(([k, v]) => [k, v.count])))
        })
        it("gives the truth's connections, disconnections and session time", () => {
          const events = countBy(records, (r) => r.event)
          expect(events.connection_received ?? 0).toBe(truth.connections.received)
          expect(events.connection_authenticated ?? 0).toBe(truth.connections.authenticated)
          expect(events.connection_authorized ?? 0).toBe(truth.connections.authorized)
          expect(events.disconnection ?? 0).toBe(truth.connections.disconnections)
          const sessions = records.filter((r) => r.event === "disconnection")
          expect(exactSum(sessions, "session_time_ms", 0)).toBe((Number(truth.connections.session_time_sum_s) * 1000).toFixed(0))
        })
        it("gives the truth's users, databases, pids and auto_explain plans", () => {
          const users = stderr ? truth.user_convention_events : truth.user
          const databases = stderr ? truth.database_convention_events : truth.database
          // "[unknown]" (stderr, before authentication) is an absent user, as csvlog writes it.
          const known = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([k]) => k !== "" && k !== "[unknown]"))
          expect(withoutEmpty(countBy(records, (r) => r.user))).toEqual(known(users))
          expect(withoutEmpty(countBy(records, (r) => r.database))).toEqual(known(databases))
          expect(new Set(records.map((r) => r.pid)).size).toBe(truth.distinct_pids)
          expect(records.filter((r) => r.duration_kind === "plan").length).toBe(truth.auto_explain_plans)
        })
        it("gives the truth's temporary files and DETAIL/HINT/CONTEXT/QUERY parts", () => {
          const temp = records.filter((r) => r.event === "temp_file")
          expect(temp.length).toBe(truth.temp_files.count)
          expect(exactSum(temp, "temp_file_bytes", 0)).toBe(String(truth.temp_files.bytes))
          const parts = truth.secondary_parts_attached as Record<string, number>
          expect(records.filter((r) => r.detail !== undefined).length).toBe(parts.DETAIL ?? 0)
          expect(records.filter((r) => r.hint !== undefined).length).toBe(parts.HINT ?? 0)
          expect(records.filter((r) => r.context !== undefined).length).toBe(parts.CONTEXT ?? 0)
          if (stderr) expect(records.filter((r) => r.query !== undefined).length).toBe(parts.QUERY ?? 0)
        })
        it("gives the first and last timestamp of the truth", () => {
          const first = truth.first_timestamp as string
          const micros = records.map((r) => r._timestamp!).filter((t) => t !== undefined)
          const iso = (us: number) => new Date(us / 1000).toISOString()
          const truthIso = (s: string) => new Date(s.replace(" UTC", "Z").replace(" ", "T")).toISOString()
          expect(iso(Math.min(...micros))).toBe(truthIso(first))
          expect(iso(Math.max(...micros))).toBe(truthIso(truth.last_timestamp))
        })
      }

      if (fixture.format === "mysql-slow") {
        const entries = records.filter(notBanner)
        it("gives the truth's entry count and banners", () => {
          expect(entries.length).toBe(truth.entries)
          expect(records.length - entries.length).toBe(truth.server_banners)
        })
        it("gives the truth's Query_time, Lock_time and row sums from header blocks only", () => {
          expect(exactSum(entries, "query_time_s", 6)).toBe(truth.sum_query_time_s)
          expect(exactSum(entries, "lock_time_s", 6)).toBe(truth.sum_lock_time_s)
          expect(Number(exactSum(entries, "rows_sent", 0))).toBe(truth.sum_rows_sent)
          expect(Number(exactSum(entries, "rows_examined", 0))).toBe(truth.sum_rows_examined)
          if (truth.sum_rows_affected !== undefined) expect(Number(exactSum(entries, "rows_affected", 0))).toBe(truth.sum_rows_affected)
          expect(entries.filter((r) => (r.query_time_s as number) >= 0.05).length).toBe(truth["entries_query_time_ge_0.05s"])
        })
        it("gives the truth's users, client hosts and multi-line statements", () => {
          expect(countBy(entries, (r) => r.user)).toEqual(truth.entries_by_user)
          expect(countBy(entries, (r) => r.host ?? r.client_addr)).toEqual(truth.entries_by_client_host)
          expect(entries.filter((r) => r.statement?.includes("\n")).length).toBe(truth.multiline_query_entries)
        })
        if (truth.time_lines !== truth.entries) {
          it("gives MariaDB's per-entry schema from the Schema: header", () => {
            expect(countBy(entries, (r) => r.schema)).toEqual(truth.entries_by_schema)
          })
        }
      }

      if (fixture.format === "mysql-general") {
        const entries = records.filter(notBanner)
        it("gives the truth's records by command", () => {
          expect(entries.length).toBe(truth.records)
          expect(countBy(entries, (r) => r.command)).toEqual(truth.records_by_command)
          expect(records.length - entries.length).toBe(truth.server_banners)
          expect(entries.filter((r) => r._timestamp !== undefined).length).toBe(truth.records_with_timestamp)
        })
        it("gives the truth's connections by user and transport, and denied logins", () => {
          const connects = entries.filter((r) => r.command === "Connect")
          expect(countBy(connects.filter((r) => r.user !== undefined), (r) => r.user)).toEqual(truth.connect_by_user)
          expect(countBy(connects.filter((r) => r.transport !== undefined), (r) => r.transport)).toEqual(truth.connect_by_transport)
          expect(connects.filter((r) => r.event === "connection_failed").length).toBe(truth.connect_access_denied)
          expect(new Set(entries.map((r) => r.thread_id)).size).toBe(truth.distinct_thread_ids)
          expect(entries.filter((r) => String(r.statement ?? r.argument ?? "").includes("\n")).length).toBe(truth.multiline_records)
        })
      }

      if (fixture.format === "mysql-error") {
        it("gives the truth's records by severity", () => {
          expect(records.length).toBe(truth.records)
          expect(countBy(records, (r) => r.severity ?? "(none: YYMMDD-style line)")).toEqual(truth.records_by_severity)
        })
        it("gives the truth's message classes", () => {
          const events = countBy(records, (r) => r.event)
          expect(events.access_denied).toBe(truth.message_classes.access_denied)
          expect(events.aborted_connection).toBe(truth.message_classes.aborted_connection)
          expect(events.deadlock).toBe(truth.message_classes.innodb_deadlock_report)
          expect(events.ready_for_connections).toBe(truth.message_classes.ready_for_connections)
          expect(records.filter((r) => r.subsystem === "InnoDB").length).toBe(truth.message_classes.innodb_message)
        })
        if (truth.records_by_code !== undefined) {
          it("gives the truth's error codes and subsystems", () => {
            expect(countBy(records.filter((r) => r.error_code !== undefined), (r) => r.error_code)).toEqual(truth.records_by_code)
            expect(countBy(records.filter((r) => r.error_code !== undefined), (r) => r.subsystem)).toEqual(truth.records_by_subsystem)
          })
        }
      }

      if (fixture.format === "mysql-audit") {
        it("gives the truth's rows by operation, user, database and host", () => {
          expect(records.length).toBe(truth.rows)
          expect(countBy(records, (r) => r.operation)).toEqual(truth.rows_by_operation)
          expect(countBy(records, (r) => r.user)).toEqual(truth.rows_by_user)
          expect(countBy(records, (r) => r.database)).toEqual(truth.rows_by_database)
          expect(countBy(records, (r) => r.host)).toEqual(truth.rows_by_host)
        })
        it("gives the truth's non-zero return codes, connection ids and time range", () => {
          const failed = records.filter((r) => r.retcode !== undefined && r.retcode !== 0)
          expect(countBy(failed, (r) => r.operation)).toEqual(truth.rows_with_nonzero_retcode_by_operation)
          expect(countBy(failed.filter((r) => r.operation === "QUERY"), (r) => r.retcode)).toEqual(truth.query_rows_by_nonzero_retcode)
          expect(new Set(records.map((r) => r.connection_id)).size).toBe(truth.distinct_connection_ids)
          const times = records.map((r) => r._timestamp!)
          const truthMicros = (t: string) => (/^\d+$/.test(t) ? Number(t) : Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(9, 11), +t.slice(12, 14), +t.slice(15, 17)) * 1000)
          expect(Math.min(...times)).toBe(truthMicros(truth.first_timestamp))
          expect(Math.max(...times)).toBe(truthMicros(truth.last_timestamp))
        })
      }
    })
  }
})
