/**
 * The log formats the parsers understand, which engine and RDS log type each belongs to, and how
 * a format is recognised: first from the RDS log file name, then by sniffing the first bytes.
 */

export type Engine = "postgres" | "mysql"
export type LogType = "postgresql" | "error" | "slowquery" | "general" | "audit"
export type LogFormat =
  | "postgres"
  | "postgres-csv"
  | "postgres-json"
  | "mysql-error"
  | "mysql-slow"
  | "mysql-general"
  | "mysql-audit"

export const LOG_FORMATS: ReadonlyArray<LogFormat> = [
  "postgres",
  "postgres-csv",
  "postgres-json",
  "mysql-error",
  "mysql-slow",
  "mysql-general",
  "mysql-audit"
]

/** What detectFormat answers when neither the name nor the content says anything. */
export const DEFAULT_FORMAT: LogFormat = "postgres"

export const isLogFormat = (value: string): value is LogFormat => (LOG_FORMATS as ReadonlyArray<string>).includes(value)

export function engineOf(format: LogFormat): Engine {
  return format === "postgres" || format === "postgres-csv" || format === "postgres-json" ? "postgres" : "mysql"
}

export function logTypeOf(format: LogFormat): LogType {
  switch (format) {
    case "postgres":
    case "postgres-csv":
    case "postgres-json":
      return "postgresql"
    case "mysql-error":
      return "error"
    case "mysql-slow":
      return "slowquery"
    case "mysql-general":
      return "general"
    case "mysql-audit":
      return "audit"
  }
}

/**
 * From an RDS log file name ("error/postgresql.log.2026-11-26-0937", "postgresql.log.2026-11-26-0939.csv",
 * "slowquery/mysql-slowquery.log.2026-11-26.08", "audit/audit.log.0.2026-11-26-09-34.0",
 * "error/mysql-error-running.log", "mysql-general.log", "server_audit.log.1"); undefined when the
 * name says nothing. A ".gz" suffix is ignored.
 */
export function formatOfFile(fileName: string): LogFormat | undefined {
  let name = fileName.toLowerCase()
  if (name.endsWith(".gz")) name = name.slice(0, -3)
  const slash = name.lastIndexOf("/")
  const base = slash >= 0 ? name.slice(slash + 1) : name
  // Aurora PostgreSQL puts its logs under "error/", so the base name decides before the directory.
  if (base.includes("postgres")) {
    if (base.endsWith(".csv")) return "postgres-csv"
    if (base.endsWith(".json")) return "postgres-json"
    return "postgres"
  }
  if (base.includes("slowquery") || base.includes("slow-query") || base.includes("slow_query") || base.includes("-slow.log")) return "mysql-slow"
  if (base.includes("general")) return "mysql-general"
  if (base.includes("audit")) return "mysql-audit"
  if (base.includes("mysql-error") || base.includes("mysqld.err") || base.includes("error.log") || base.includes("mariadb.err")) return "mysql-error"
  const dir = slash >= 0 ? name.slice(0, slash) : ""
  if (dir.endsWith("slowquery")) return "mysql-slow"
  if (dir.endsWith("general")) return "mysql-general"
  if (dir.endsWith("audit")) return "mysql-audit"
  return undefined
}

const PG_STDERR_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Za-z0-9+\-]+:.*?[A-Z]+:  /
const PG_CSV_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [A-Za-z0-9+\-]+,/
const ISO_TS = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)`
const MYSQL_ERROR_LINE = new RegExp(String.raw`^(?:${ISO_TS} +\d+ \[|\d{4}-\d\d-\d\d [ \d]\d:\d\d:\d\d \d+ \[|\d{6} [ \d]\d:\d\d:\d\d )`)
const MYSQL_GENERAL_LINE = new RegExp(String.raw`^(?:${ISO_TS}|\d{6} [ \d]\d:\d\d:\d\d|\t)\t *\d+ [A-Z]`)
const MYSQL_AUDIT_LINE = /^(?:\d{10,17}|\d{8} \d\d:\d\d:\d\d),[^,\n]*,[^,\n]*,[^,\n]*,\d*,\d*,[A-Z_]+,/
const SLOW_HEADER_LINE = /^# (?:Time|User@Host|Query_time|Thread_id):/

/**
 * Name first, then content sniffing of the first few KB; DEFAULT_FORMAT ("postgres") when neither
 * says anything.
 */
export function detectFormat(fileName: string | undefined, head: Uint8Array): LogFormat {
  if (fileName !== undefined) {
    const byName = formatOfFile(fileName)
    if (byName !== undefined) return byName
  }
  return sniffFormat(head) ?? DEFAULT_FORMAT
}

/** The format the first lines of `head` look like, or undefined. */
export function sniffFormat(head: Uint8Array): LogFormat | undefined {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head.subarray(0, 16384))
  const lines = text.split("\n", 64)
  for (const line of lines) {
    if (line.startsWith("{\"timestamp\":") || (line.startsWith("{\"") && line.includes("\"error_severity\""))) return "postgres-json"
    if (PG_CSV_LINE.test(line)) return "postgres-csv"
    if (PG_STDERR_LINE.test(line)) return "postgres"
    if (SLOW_HEADER_LINE.test(line)) return "mysql-slow"
    if (MYSQL_AUDIT_LINE.test(line)) return "mysql-audit"
    if (MYSQL_GENERAL_LINE.test(line)) return "mysql-general"
    if (MYSQL_ERROR_LINE.test(line)) return "mysql-error"
  }
  return undefined
}
