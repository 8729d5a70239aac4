/**
 * Aurora MySQL advanced auditing / MariaDB server_audit rows:
 * `timestamp,serverhost,username,host,connectionid,queryid,operation,database,object,retcode`, the
 * timestamp as Unix microseconds (Aurora) or `YYYYMMDD HH:MM:SS` (MariaDB); the object of a QUERY row
 * is single-quoted with backslash escapes and may hold commas and newlines, so it is taken as
 * everything between the eighth comma and the last one.
 */
import { finishRecord, unparsedRecord } from "../Record.ts"
import { parseCompactTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"

export class MysqlAuditLogParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    const commas: number[] = []
    let at = -1
    while (commas.length < 8 && (at = text.indexOf(",", at + 1)) >= 0) commas.push(at)
    const last = text.lastIndexOf(",")
    const micros = commas.length === 8 ? timestampMicros(text.slice(0, commas[0])) : undefined
    if (commas.length < 8 || last < commas[7]! || micros === undefined) {
      return unparsedRecord(text, "not an audit row (10 comma-separated columns)", this.redact, truncated)
    }
    const field = (k: number) => text.slice(commas[k - 1]! + 1, commas[k])
    const record: ParsedRecord = { _timestamp: micros, level: "info" }
    setText(record, "serverhost", field(1))
    setText(record, "user", field(2))
    setText(record, "host", field(3))
    setNumber(record, "connection_id", field(4))
    setNumber(record, "query_id", field(5))
    const operation = field(6)
    record.operation = operation
    setText(record, "database", field(7))
    // With 10 columns the last comma ends the object; a row cut short has no retcode.
    const hasRetcode = last > commas[7]!
    const objectText = hasRetcode ? text.slice(commas[7]! + 1, last) : text.slice(commas[7]! + 1)
    const object = unquote(objectText)
    if (object.length > 0) {
      if (operation === "QUERY" || operation.startsWith("QUERY_")) record.statement = object
      else record.object = object
    }
    if (hasRetcode) {
      const retcode = text.slice(last + 1).trim()
      if (/^-?\d+$/.test(retcode)) {
        record.retcode = Number(retcode)
        if (record.retcode !== 0) record.level = "error"
      } else if (retcode.length > 0) {
        // Kept, not dropped: the row is readable but its last column is not a return code.
        record.parse_error = "audit retcode is not a number"
        record.raw = text
      }
    }
    if (operation === "CONNECT") record.event = "connection_authorized"
    else if (operation === "DISCONNECT") record.event = "disconnection"
    else if (operation === "FAILED_CONNECT") {
      record.event = "connection_failed"
      record.level = "warning"
    }
    if (truncated) record.truncated = true
    // Unescaping can join letters ("pass\\word"), so escaped rows get every field checked.
    return finishRecord(record, this.redact, "mysql", this.redacting, text.includes("\\") ? undefined : text)
  }
}

function timestampMicros(value: string): number | undefined {
  if (/^\d+$/.test(value)) {
    const n = Number(value)
    // Microseconds (Aurora, 16 digits), milliseconds (13) or seconds (10).
    if (value.length >= 15) return n
    if (value.length >= 12) return n * 1000
    return n * 1_000_000
  }
  return parseCompactTimestamp(value)
}

/** '...' with backslash escapes -> the text; anything else as is. */
function unquote(value: string): string {
  if (value.length < 2 || value.charCodeAt(0) !== 39 || value.charCodeAt(value.length - 1) !== 39) return value
  const inner = value.slice(1, -1)
  if (!inner.includes("\\")) return inner
  return inner.replace(/\\(.)/gs, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : c === "t" ? "\t" : c === "0" ? "\0" : c))
}

function setText(record: ParsedRecord, field: string, value: string): void {
  if (value.length > 0) record[field] = value
}

function setNumber(record: ParsedRecord, field: string, value: string): void {
  if (value.length > 0 && /^\d+$/.test(value)) record[field] = Number(value)
}
