/**
 * The shapes every parser shares: the options a caller may pass, the flat record a parser returns,
 * and the Parser interface itself. Kept apart from the parsers so that each format module depends
 * only on these types and not on each other.
 */

export interface ParseOptions {
  /** Replace secrets (passwords in SQL, `redactPatterns` matches) by [REDACTED]; default true. */
  readonly redact?: boolean
  /** Extra patterns whose matches become [REDACTED] (applied to every free-text field). */
  readonly redactPatterns?: ReadonlyArray<RegExp>
  /** PostgreSQL log_line_prefix; default "%t:%r:%u@%d:[%p]:" (the RDS / Aurora default). */
  readonly logLinePrefix?: string
}

/** The fields a parser finds in one record; flat; absent fields are omitted (never null). */
export interface ParsedRecord {
  _timestamp?: number
  severity?: string
  level?: "debug" | "info" | "notice" | "warning" | "error" | "fatal" | "panic"
  pid?: number
  thread_id?: number
  user?: string
  database?: string
  client_addr?: string
  client_port?: number
  application_name?: string
  session_id?: string
  line_num?: number
  sqlstate?: string
  message?: string
  detail?: string
  hint?: string
  context?: string
  statement?: string
  query?: string
  location?: string
  duration_ms?: number
  duration_kind?: string
  fingerprint?: string
  event?: string
  session_time_ms?: number
  query_time_s?: number
  lock_time_s?: number
  rows_sent?: number
  rows_examined?: number
  schema?: string
  command?: string
  operation?: string
  object?: string
  retcode?: number
  connection_id?: number
  query_id?: number
  serverhost?: string
  host?: string
  error_code?: string
  subsystem?: string
  truncated?: boolean
  parse_error?: string
  raw?: string
  /** PostgreSQL stderr: lines another process wrote into the file after the record (see docs/record-schema.md). */
  stray_text?: string
  [field: string]: string | number | boolean | undefined
}

export type Level = NonNullable<ParsedRecord["level"]>

/** Parses exactly one record (as cut by recordStarts); the text may end in "\n". */
export interface Parser {
  parse(text: string): ParsedRecord
}
