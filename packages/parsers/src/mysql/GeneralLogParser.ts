/**
 * MySQL / Aurora MySQL general query log records: MySQL 8 / 5.7 `ISO<TAB>%5u Command<TAB>argument`
 * and MariaDB / MySQL 5.6 `YYMMDD H:MM:SS<TAB>` or `<TAB><TAB>` (same second as the record before;
 * no timestamp in the record then). Lines without that head continue a multi-line statement.
 */
import { finishRecord, unparsedRecord } from "../Record.ts"
import { parseIsoTimestamp, parseShortMysqlTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"
import { bannerRecord, isBannerLine } from "./Banner.ts"

const HEAD = /^(?:([^\t]+)\t|\t\t) *(\d+) ([A-Z][A-Za-z ]*?)(?:\t|$)/
const CONNECT = /^(\S+)@(\S*) (?:on (\S*) )?(?:using (.+))?$/
const STATEMENT_COMMANDS = new Set(["Query", "Execute", "Prepare"])

export class MysqlGeneralLogParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    const nl = text.indexOf("\n")
    const firstLine = nl < 0 ? text : text.slice(0, nl)
    if (isBannerLine(firstLine)) {
      const banner = bannerRecord(text)
      if (truncated) banner.truncated = true
      return banner
    }
    const m = HEAD.exec(firstLine.length > 512 ? firstLine.slice(0, 512) : firstLine)
    if (m === null || !isGeneralTime(m[1] ?? "")) {
      return unparsedRecord(text, "no general-log head (time TAB thread command) at the start of the record", this.redact, truncated)
    }
    const record: ParsedRecord = { level: "info" }
    const time = m[1] ?? ""
    if (time.length > 0) {
      const micros = time.charCodeAt(4) === 45 ? parseIsoTimestamp(time) : parseShortMysqlTimestamp(time)
      if (micros !== undefined) record._timestamp = micros
    }
    record.thread_id = Number(m[2])
    const command = m[3]!
    record.command = command
    const argument = text.slice(Math.min(m[0].length, text.length))
    if (STATEMENT_COMMANDS.has(command)) {
      if (argument.length > 0) record.statement = argument
    } else if (argument.length > 0) record.argument = argument
    if (command === "Connect") {
      if (argument.startsWith("Access denied for user")) record.event = "connection_failed"
      else {
        record.event = "connection_authorized"
        readUserAtHost(record, argument)
      }
    } else if (command === "Change user") {
      // COM_CHANGE_USER: the session's new user and database, in the words of a Connect line.
      readUserAtHost(record, argument)
    } else if (command === "Quit") record.event = "disconnection"
    else if (command === "Init DB" && argument.length > 0) record.database = argument
    if (truncated) record.truncated = true
    return finishRecord(record, this.redact, "mysql", this.redacting, text)
  }
}

/** "user@host on db using transport" (db empty when none was given). */
function readUserAtHost(record: ParsedRecord, argument: string): void {
  const c = CONNECT.exec(argument)
  if (c === null) return
  record.user = c[1]!
  if (c[2]!.length > 0) record.host = c[2]!
  if (c[3] !== undefined && c[3].length > 0) record.database = c[3]
  if (c[4] !== undefined) record.transport = c[4]
}

/** "", an ISO time or "YYMMDD H:MM:SS". */
const isGeneralTime = (time: string): boolean =>
  time.length === 0 || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(time) || /^\d{6} [ \d]\d:\d\d:\d\d$/.test(time)
