/** Normalising each engine's own severity word into the shared `level` vocabulary. */
import type { Level } from "./Types.ts"

const POSTGRES_LEVELS: Readonly<Record<string, Level>> = {
  DEBUG: "debug", DEBUG1: "debug", DEBUG2: "debug", DEBUG3: "debug", DEBUG4: "debug", DEBUG5: "debug",
  LOG: "info", INFO: "info", STATEMENT: "info", DETAIL: "info", HINT: "info", CONTEXT: "info", QUERY: "info", LOCATION: "info",
  NOTICE: "notice", WARNING: "warning", ERROR: "error", FATAL: "fatal", PANIC: "panic"
}

export const postgresLevel = (severity: string): Level | undefined => POSTGRES_LEVELS[severity]

const MYSQL_LEVELS: Readonly<Record<string, Level>> = {
  System: "info", SYSTEM: "info", Note: "info", NOTE: "info", Information: "info",
  Warning: "warning", WARNING: "warning", Warn: "warning",
  ERROR: "error", Error: "error", error: "error"
}

export const mysqlLevel = (severity: string): Level | undefined => MYSQL_LEVELS[severity]
