/**
 * MySQL / Aurora MySQL / MariaDB slow query log entries. An entry is an optional `# Time:` line, the
 * header block of `# Key: value` lines that begins at `# User@Host:`, optional `use db;` and
 * `SET ...timestamp=N;` lines, then the statement (possibly many lines, ending in `;`). Header numbers
 * come from the header block only: a `# Query_time:` line inside a statement's text is statement text.
 */
import { numberAt } from "../Numbers.ts"
import type { BlockMarks } from "../BlockMarks.ts"
import { endBeforeCr, endBeforeNewline, endBeforeTruncation, finishFields, lineEnd, unparsedRecord } from "../Record.ts"
import { parseIsoTimestamp, parseShortMysqlTimestamp } from "../Timestamp.ts"
import { RecordParser } from "../RecordParser.ts"
import type { ParsedRecord } from "../Types.ts"
import { bannerRecord, isBannerLineAt } from "./Banner.ts"

const USER_HOST = /^# User@Host: ([^\[]*)\[([^\]]*)\] @ *([^\[]*?) *\[([^\]]*)\](?:\s+Id:\s*(\d+))?/
const USE_DB = /^use (`?)([^`;]+)\1;$/
const SET_TIMESTAMP = /^SET (?:[a-z_]+=\d+,)*timestamp=(\d+)(?:,[a-z_]+=\d+)*;$/
const ADMIN_COMMAND = "# administrator command: "
const EXPLAIN = "# explain: "

/** Field names of the header keys (numbers where the value is numeric); other keys become slow_<key>. */
const HEADER_FIELDS: Readonly<Record<string, string>> = {
  Query_time: "query_time_s", Lock_time: "lock_time_s", Rows_sent: "rows_sent", Rows_examined: "rows_examined",
  Rows_affected: "rows_affected", Bytes_sent: "bytes_sent", Thread_id: "thread_id", Id: "thread_id", Schema: "schema",
  QC_hit: "qc_hit", Tmp_tables: "tmp_tables", Tmp_disk_tables: "tmp_disk_tables", Full_scan: "full_scan",
  Full_join: "full_join", Filesort: "filesort", Filesort_on_disk: "filesort_on_disk", Merge_passes: "merge_passes",
  Priority_queue: "priority_queue", Tmp_table: "tmp_table", Tmp_table_on_disk: "tmp_table_on_disk"
}

export class MysqlSlowLogParser extends RecordParser {
  protected parseText(text: string, truncated: boolean): ParsedRecord {
    return this.parseRange(text, 0, text.length, truncated, this.redacting && this.redact.mayApply(text))
  }

  override parseIn(text: string, start: number, end: number, decoded: string | undefined, gate: BlockMarks): ParsedRecord {
    // The gate's words are ASCII: they lie at the same bytes of the Latin-1 and the UTF-8 decoding.
    const scanFields = gate.within(start, end)
    const source = decoded ?? text
    const from = decoded === undefined ? start : 0
    const withoutNewline = endBeforeNewline(source, from, decoded === undefined ? end : decoded.length)
    const stop = endBeforeTruncation(source, from, withoutNewline)
    return this.parseRange(source, from, stop, stop < withoutNewline, scanFields)
  }

  /** The entry [from, stop) of a text (without its final newline and truncation marker), read in place. */
  private parseRange(text: string, from: number, stop: number, truncated: boolean, scanFields: boolean): ParsedRecord {
    let end = lineEnd(text, from, stop)
    if (isBannerLineAt(text, from, end)) {
      const banner = bannerRecord(text.slice(from, stop))
      if (truncated) banner.truncated = true
      return banner
    }
    const record: ParsedRecord = {}
    // `start`/`end` walk the lines by index: no split, no join.
    let start = from
    if (startsAt(text, "# Time: ", from, stop)) {
      const value = text.slice(from + 8, end).trim()
      const micros = value.charCodeAt(4) === 45 ? parseIsoTimestamp(value) : parseShortMysqlTimestamp(value)
      if (micros !== undefined) record._timestamp = micros
      start = end + 1
      end = lineEnd(text, start, stop)
    }
    if (start >= stop || !startsAt(text, "# User@Host: ", start, stop)) {
      return unparsedRecord(text.slice(from, stop), "no slow-log header (# Time: / # User@Host:) at the start of the record", this.redact, truncated)
    }
    const userHost = USER_HOST.exec(text.slice(start, end))
    if (userHost !== null) {
      const user = userHost[2]!.length > 0 ? userHost[2]! : userHost[1]!.trim()
      if (user.length > 0) record.user = user
      const host = userHost[3]!.trim()
      const ip = userHost[4]!.trim()
      if (host.length > 0) record.host = host
      if (ip.length > 0) record.client_addr = ip
      if (userHost[5] !== undefined) record.thread_id = Number(userHost[5])
    }
    start = end + 1
    // The header block: "# Key: value" lines right after "# User@Host:", and with MariaDB's
    // log_slow_verbosity=explain a "# explain: ..." table framed by lone "#" lines.
    while (start < stop) {
      if (isLoneHash(text, start, stop)) { start = lineEnd(text, start, stop) + 1; continue }
      if (!isHeaderLine(text, start, stop)) break
      end = lineEnd(text, start, stop)
      const valuesEnd = endBeforeCr(text, start, end)
      if (text.startsWith("# Query_time: ", start)) readQueryTimeLine(text, start, valuesEnd, record)
      else if (text.startsWith(EXPLAIN, start)) addExplainLine(text, start, valuesEnd, record)
      else readHeaderPairs(text, start + 2, valuesEnd, record)
      start = end + 1
    }
    // One `use db;` line (only when the db changed) and the `SET timestamp=N;` line mysqld always writes
    // come before the statement: what follows that SET line is the statement, even a client's own
    // "use `db`" or "SET timestamp=N".
    let sawUse = false
    while (start < stop) {
      end = lineEnd(text, start, stop)
      const lineStop = endBeforeCr(text, start, end)
      const c = text.charCodeAt(start)
      if (c === 117 /* u */ && !sawUse && startsAt(text, "use ", start, lineStop)) {
        const use = USE_DB.exec(text.slice(start, lineStop))
        if (use !== null) { record.schema = use[2]!; sawUse = true; start = end + 1; continue }
      } else if (c === 83 /* S */ && startsAt(text, "SET ", start, lineStop) && text.charCodeAt(lineStop - 1) === 59) {
        const seconds = setTimestampAt(text, start, lineStop)
        if (seconds >= 0) {
          const startMicros = seconds * 1_000_000
          record.query_start = startMicros
          if (record._timestamp === undefined) record._timestamp = startMicros
          start = end + 1
        }
      }
      break
    }
    if (typeof record.query_time_s === "number") record.duration_ms = Math.round(record.query_time_s * 1_000_000) / 1000
    if (start < stop) {
      // The log adds ";" after every statement: that ";" is the log's, not the statement's.
      const statementEnd = text.charCodeAt(stop - 1) === 59 ? stop - 1 : stop
      if (startsAt(text, ADMIN_COMMAND, start, stop)) {
        record.command = text.slice(start + ADMIN_COMMAND.length, statementEnd)
        record.event = "administrator_command"
      }
      record.statement = start === 0 && statementEnd === text.length ? text : text.slice(start, statementEnd)
    }
    record.level = "info"
    if (truncated) record.truncated = true
    finishFields(record, this.redact, "mysql", scanFields)
    // To the fingerprint rules the line is a comment; pt-fingerprint groups it as "administrator command: X".
    if (record.event === "administrator_command") record.fingerprint = "administrator command: " + record.command
    return record
  }
}

/** text.startsWith(prefix, at), within [at, stop). */
const startsAt = (text: string, prefix: string, at: number, stop: number): boolean =>
  stop - at >= prefix.length && text.startsWith(prefix, at)

/**
 * The N of a `SET ...timestamp=N...;` line [start, end), or -1. The line mysqld writes, "SET timestamp=N;",
 * is read in place; any other goes through SET_TIMESTAMP.
 */
function setTimestampAt(text: string, start: number, end: number): number {
  const digits = start + 14
  if (end - digits >= 2 && text.startsWith("SET timestamp=", start)) {
    let i = digits
    while (i < end - 1) {
      const c = text.charCodeAt(i)
      if (c < 48 || c > 57) break
      i++
    }
    if (i === end - 1) return numberAt(text, digits, i)
  }
  const set = SET_TIMESTAMP.exec(text.slice(start, end))
  return set === null ? -1 : Number(set[1])
}

/** A line that is only "#" (MariaDB frames its explain table with them). */
function isLoneHash(text: string, at: number, stop: number): boolean {
  if (text.charCodeAt(at) !== 35) return false
  const next = at + 1
  if (next >= stop) return true
  const c = text.charCodeAt(next)
  return c === 10 || (c === 13 && (next + 1 >= stop || text.charCodeAt(next + 1) === 10))
}

/** "# explain: <tab-separated row>": the rows are kept as one text, a line each, without the prefix. */
function addExplainLine(text: string, start: number, end: number, record: ParsedRecord): void {
  const row = text.slice(start + EXPLAIN.length, end)
  record.explain = record.explain === undefined ? row : record.explain + "\n" + row
}

/** "# Key: " (a header line), but not "# administrator command: ". */
function isHeaderLine(text: string, at: number, stop: number): boolean {
  if (stop - at < 2 || text.charCodeAt(at) !== 35 || text.charCodeAt(at + 1) !== 32) return false
  let j = at + 2
  const first = j
  while (j < stop) {
    const c = text.charCodeAt(j)
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95) { j++; continue }
    break
  }
  if (j === first || j + 2 > stop || text.charCodeAt(j) !== 58 || text.charCodeAt(j + 1) !== 32) return false
  return !startsAt(text, ADMIN_COMMAND, at, stop)
}

/** "Key: value  Key: value ..." in [from, end): known keys become fields (numbers where numeric). */
function readHeaderPairs(text: string, from: number, end: number, record: ParsedRecord): void {
  let p = from
  while (p < end) {
    while (p < end && text.charCodeAt(p) === 32) p++
    const keyStart = p
    while (p < end && text.charCodeAt(p) !== 58 && text.charCodeAt(p) !== 32) p++
    if (p >= end || text.charCodeAt(p) !== 58) return
    const key = text.slice(keyStart, p)
    p++
    while (p < end && text.charCodeAt(p) === 32) p++
    const valueStart = p
    while (p < end && text.charCodeAt(p) !== 32) p++
    // "Schema:  QC_hit: No": an empty value, and the token read is the next key.
    if (text.charCodeAt(p - 1) === 58) { p = valueStart; continue }
    // Keys we do not know (log_slow_extra, Percona) are kept too, under their lowercased name.
    const field = HEADER_FIELDS[key] ?? "slow_" + key.toLowerCase()
    if (p === valueStart) continue
    const raw = text.slice(valueStart, p)
    const number = Number(raw)
    record[field] = field === "schema" || field === "qc_hit" || !Number.isFinite(number) ? raw : number
  }
}

/**
 * "# Query_time: X  Lock_time: Y Rows_sent: N  Rows_examined: M[ more pairs]": the line every entry
 * has, read with named stores (the generic pair reader handles anything after it).
 */
function readQueryTimeLine(text: string, start: number, end: number, record: ParsedRecord): void {
  const lock = text.indexOf(" Lock_time: ", start + 14)
  const sent = lock < 0 ? -1 : text.indexOf(" Rows_sent: ", lock + 12)
  const examined = sent < 0 ? -1 : text.indexOf(" Rows_examined: ", sent + 12)
  if (examined < 0 || examined > end) {
    readHeaderPairs(text, start + 2, end, record)
    return
  }
  let valueEnd = text.indexOf(" ", examined + 16)
  if (valueEnd < 0 || valueEnd > end) valueEnd = end
  // Number() ignores the blanks that pad a value: they are left out so that numberAt reads it in place.
  const queryTime = numberAt(text, start + 14, withoutSpaces(text, start + 14, lock))
  const lockTime = numberAt(text, lock + 12, withoutSpaces(text, lock + 12, sent))
  const rowsSent = numberAt(text, sent + 12, withoutSpaces(text, sent + 12, examined))
  const rowsExamined = numberAt(text, examined + 16, valueEnd)
  if (!(Number.isFinite(queryTime) && Number.isFinite(lockTime) && Number.isFinite(rowsSent) && Number.isFinite(rowsExamined))) {
    readHeaderPairs(text, start + 2, end, record)
    return
  }
  record.query_time_s = queryTime
  record.lock_time_s = lockTime
  record.rows_sent = rowsSent
  record.rows_examined = rowsExamined
  if (valueEnd < end) readHeaderPairs(text, valueEnd, end, record)
}

/** The end of [start, end) without the spaces that end it. */
function withoutSpaces(text: string, start: number, end: number): number {
  while (end > start && text.charCodeAt(end - 1) === 32) end--
  return end
}
