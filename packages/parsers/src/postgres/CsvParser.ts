/**
 * PostgreSQL csvlog rows (PostgreSQL 13 to 17 column sets). Each row is one record; its columns map to
 * the same field names as the stderr parser gives the same event (csvlog `query` = stderr STATEMENT,
 * `internal_query` = QUERY).
 */
import { splitCsvRow } from "../Csv.ts"
import { postgresLevel } from "../Level.ts"
import { finishRecord, unparsedRecord } from "../Record.ts"
import { parsePostgresTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"
import { analyzeMessage } from "./Message.ts"

export class PostgresCsvParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    const f = splitCsvRow(text)
    const micros = f === undefined ? undefined : parsePostgresTimestamp(f[0]!)
    if (f === undefined || f.length < 22 || micros === undefined) {
      return unparsedRecord(text, "not a csvlog row", this.redact, truncated)
    }
    const record: ParsedRecord = { _timestamp: micros }
    setText(record, "user", f[1]!)
    setText(record, "database", f[2]!)
    setNumber(record, "pid", f[3]!)
    const from = f[4]!
    if (from.length > 0) {
      // "host:port" (the port after the last colon, so IPv6 hosts survive) or "[local]".
      const colon = from.lastIndexOf(":")
      if (colon > 0 && /^\d+$/.test(from.slice(colon + 1)) && from !== "[local]") {
        record.client_addr = from.slice(0, colon)
        record.client_port = Number(from.slice(colon + 1))
      } else record.client_addr = from
    }
    setText(record, "session_id", f[5]!)
    setNumber(record, "line_num", f[6]!)
    setText(record, "command_tag", f[7]!)
    const sessionStart = f[8]!.length > 0 ? parsePostgresTimestamp(f[8]!) : undefined
    if (sessionStart !== undefined) record.session_start = sessionStart
    setText(record, "virtual_transaction_id", f[9]!)
    setNumber(record, "transaction_id", f[10]!)
    const severity = f[11]!
    record.severity = severity
    const level = postgresLevel(severity)
    if (level !== undefined) record.level = level
    // jsonlog leaves out the 00000 ("successful completion") code; so do we, in both.
    if (f[12] !== "00000") setText(record, "sqlstate", f[12]!)
    record.message = f[13]!
    setText(record, "detail", f[14]!)
    setText(record, "hint", f[15]!)
    setText(record, "query", f[16]!)
    setNumber(record, "query_pos", f[17]!)
    setText(record, "context", f[18]!)
    setText(record, "statement", f[19]!)
    setNumber(record, "statement_pos", f[20]!)
    setText(record, "location", f[21]!)
    if (f.length > 22) setText(record, "application_name", f[22]!)
    if (f.length > 23) setText(record, "backend_type", f[23]!)
    if (f.length > 24) setNumber(record, "leader_pid", f[24]!)
    // A 64-bit hash: kept as text, a double would round it.
    if (f.length > 25 && f[25] !== "0") setText(record, "pg_query_id", f[25]!)
    analyzeMessage(record, record.message)
    if (truncated) record.truncated = true
    return finishRecord(record, this.redact, "postgres", this.redacting, text)
  }
}

function setText(record: ParsedRecord, field: string, value: string): void {
  if (value.length > 0) record[field] = value
}

function setNumber(record: ParsedRecord, field: string, value: string): void {
  if (value.length > 0) {
    const n = Number(value)
    if (Number.isFinite(n)) record[field] = n
  }
}
