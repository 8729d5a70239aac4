/**
 * PostgreSQL jsonlog objects (PostgreSQL 15+), one per line. Keys map to the same field names as the
 * stderr and csvlog parsers give the same event.
 */
import { postgresLevel } from "../Level.ts"
import { finishRecord, unparsedRecord } from "../Record.ts"
import { parsePostgresTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"
import { analyzeMessage } from "./Message.ts"

/** jsonlog key -> record field. */
const FIELD_OF_KEY: Readonly<Record<string, string>> = {
  user: "user", dbname: "database", pid: "pid", remote_host: "client_addr", remote_port: "client_port",
  session_id: "session_id", line_num: "line_num", ps: "command_tag", vxid: "virtual_transaction_id",
  txid: "transaction_id", error_severity: "severity", state_code: "sqlstate", message: "message", detail: "detail",
  hint: "hint", internal_query: "query", internal_position: "query_pos", context: "context", statement: "statement",
  cursor_position: "statement_pos", func_name: "func_name", file_name: "file_name", file_line_num: "file_line_num",
  application_name: "application_name", backend_type: "backend_type", leader_pid: "leader_pid"
}

const QUERY_ID = /"query_id":(-?\d+)/

export class PostgresJsonParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    let object: unknown
    try {
      object = JSON.parse(text)
    } catch {
      return unparsedRecord(text, "not a jsonlog object", this.redact, truncated)
    }
    if (typeof object !== "object" || object === null || Array.isArray(object)) {
      return unparsedRecord(text, "not a jsonlog object", this.redact, truncated)
    }
    const record: ParsedRecord = {}
    for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
      if (key === "timestamp") {
        if (typeof value === "string") {
          const micros = parsePostgresTimestamp(value)
          if (micros !== undefined) record._timestamp = micros
        }
        continue
      }
      if (key === "session_start") {
        if (typeof value === "string") {
          const micros = parsePostgresTimestamp(value)
          if (micros !== undefined) record.session_start = micros
        }
        continue
      }
      if (key === "query_id") {
        // A 64-bit hash that JSON.parse has rounded: read the digits from the text instead.
        const exact = QUERY_ID.exec(text)
        if (exact !== null && exact[1] !== "0") record.pg_query_id = exact[1]!
        continue
      }
      if (key === "state_code" && value === "00000") continue
      if (value === null || value === "") continue
      const field = FIELD_OF_KEY[key] ?? "pg_" + key
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") record[field] = value
      else record[field] = JSON.stringify(value)
    }
    if (record.file_name !== undefined) joinLocation(record)
    if (record.severity !== undefined) {
      const level = postgresLevel(String(record.severity))
      if (level !== undefined) record.level = level
    }
    if (typeof record.message === "string") analyzeMessage(record, record.message)
    if (truncated) record.truncated = true
    return finishRecord(record, this.redact, "postgres", this.redacting)
  }
}

/**
 * log_error_verbosity = verbose: jsonlog gives func_name, file_name and file_line_num apart; stderr's
 * LOCATION line and csvlog's location column give them as "func, file:line", which the record keeps.
 */
function joinLocation(record: ParsedRecord): void {
  const place = `${record.file_name}:${record.file_line_num}`
  record.location = record.func_name === undefined ? place : `${record.func_name}, ${place}`
  delete record.func_name
  delete record.file_name
  delete record.file_line_num
}
