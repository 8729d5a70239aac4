/**
 * MySQL / Aurora MySQL error log: MySQL 8 (`2023-11-28T09:13:22.104678Z 0 [System] [MY-010116] [Server] msg`,
 * optionally ending in ` (file.cc:NNN)`), MySQL 5.7 (ISO time, no code), MariaDB / MySQL 5.6
 * (`2026-11-26  9:34:01 0 [Note] msg`) and the raw `YYMMDD H:MM:SS msg` lines Aurora's audit code writes.
 * Unprefixed lines that follow (InnoDB deadlock dumps, `Version:` lines) continue the record.
 */
import { mysqlLevel } from "../Level.ts"
import { finishRecord, unparsedRecord } from "../Record.ts"
import { parseIsoTimestamp, parseShortMysqlTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"

const ISO_LINE = /^(\d{4}-\d\d-\d\d[T ][ \d]?\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) +(?:(\d+) +)?\[([A-Za-z]+)\] ?(?:\[(MY-\d+)\] ?)?(?:\[([A-Za-z_ ]+)\] ?)?/
const SHORT_LINE = /^(\d{6} [ \d]\d:\d\d:\d\d) +(?:(\d+) +)?(?:\[([A-Za-z]+)\] )?/
const SOURCE_LOCATION = / \(([\w./-]+\.(?:cc|c|h|cpp|ic|hpp)):(\d+)\)$/
const INNODB_PREFIX = "InnoDB: "

export class MysqlErrorLogParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    const nl = text.indexOf("\n")
    const head = nl < 0 ? text : text.slice(0, Math.min(nl, 256))
    const record: ParsedRecord = {}
    let m = ISO_LINE.exec(head)
    let messageStart: number
    if (m !== null) {
      const micros = parseIsoTimestamp(m[1]!)
      if (micros !== undefined) record._timestamp = micros
      if (m[2] !== undefined) record.thread_id = Number(m[2])
      setSeverity(record, m[3]!)
      if (m[4] !== undefined) record.error_code = m[4]
      if (m[5] !== undefined) record.subsystem = m[5]
      messageStart = m[0].length
    } else if ((m = SHORT_LINE.exec(head)) !== null) {
      const micros = parseShortMysqlTimestamp(m[1]!)
      if (micros !== undefined) record._timestamp = micros
      if (m[2] !== undefined) record.thread_id = Number(m[2])
      if (m[3] !== undefined) setSeverity(record, m[3])
      else record.level = "info"
      messageStart = m[0].length
    } else {
      return unparsedRecord(text, "no MySQL error-log timestamp at the start of the record", this.redact, truncated)
    }
    let message = text.slice(messageStart)
    if (message.startsWith(INNODB_PREFIX) && record.subsystem === undefined) record.subsystem = "InnoDB"
    else if (record.subsystem === undefined) {
      const colon = message.indexOf(": ")
      if (colon > 0 && colon < 32 && /^[a-z_]+$/.test(message.slice(0, colon))) record.subsystem = message.slice(0, colon)
    }
    const firstLineEnd = message.indexOf("\n")
    const firstLine = firstLineEnd < 0 ? message : message.slice(0, firstLineEnd)
    const location = SOURCE_LOCATION.exec(firstLine)
    if (location !== null) {
      record.location = location[1] + ":" + location[2]
      message = firstLine.slice(0, location.index) + (firstLineEnd < 0 ? "" : message.slice(firstLineEnd))
    }
    record.message = message
    const event = eventOf(message)
    if (event !== undefined) record.event = event
    if (truncated) record.truncated = true
    return finishRecord(record, this.redact, "mysql", this.redacting, text)
  }
}

function setSeverity(record: ParsedRecord, severity: string): void {
  record.severity = severity
  const level = mysqlLevel(severity)
  if (level !== undefined) record.level = level
}

function eventOf(message: string): string | undefined {
  if (message.startsWith("Access denied for user")) return "access_denied"
  if (message.startsWith("Aborted connection")) return "aborted_connection"
  if (message.includes("deadlock detected")) return "deadlock"
  if (message.includes("ready for connections")) return "ready_for_connections"
  if (message.includes("Normal shutdown")) return "shutdown_started"
  if (message.endsWith("Shutdown complete") || message.includes(": Shutdown complete")) return "shutdown_complete"
  return undefined
}
