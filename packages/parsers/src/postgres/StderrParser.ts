/**
 * PostgreSQL stderr logs with any log_line_prefix (RDS default `%t:%r:%u@%d:[%p]:`). One record is a
 * prefixed message line, the tab-indented lines that continue it, and the DETAIL/HINT/CONTEXT/
 * STATEMENT/QUERY/LOCATION lines (and their continuations) that follow it, which become fields as in
 * a csvlog row.
 */
import { postgresLevel } from "../Level.ts"
import type { Level } from "../Types.ts"
import { finishFields, lineEnd, unparsedRecord, withoutFinalNewline, withoutTruncationMarker } from "../Record.ts"
import type { Redactor } from "../Redaction.ts"
import { numberAt } from "../Numbers.ts"
import { postgresTimestampAt } from "../Timestamp.ts"
import type { ParsedRecord, Parser } from "../Types.ts"
import { analyzeMessage, readDurationAt } from "./Message.ts"
import { type CompiledPrefix, FIRST_SECONDARY_CODE, SEVERITY_NAMES } from "./Prefix.ts"

/** Field of each secondary tag, by severity code (see SEVERITY_NAMES). */
const SECONDARY_FIELD: ReadonlyArray<string> = SEVERITY_NAMES.map((name) => name.toLowerCase())
/** Level of each severity, by code. */
const LEVEL_OF_CODE: ReadonlyArray<Level | undefined> = SEVERITY_NAMES.map((name) => postgresLevel(name))

const nonEmpty = (value: string) => value.length > 0 && value !== "[unknown]"

export class PostgresStderrParser implements Parser {
  private readonly captures: Int32Array
  private readonly prefix: CompiledPrefix
  private readonly redact: Redactor
  private readonly redacting: boolean

  constructor(prefix: CompiledPrefix, redact: Redactor, redacting: boolean) {
    this.prefix = prefix
    this.redact = redact
    this.redacting = redacting
    this.captures = new Int32Array(prefix.captureSize)
  }

  /** `scanFields`: whether redaction must look at the fields, when the caller already knows (see redactionGate). */
  parse(input: string, scanFields?: boolean): ParsedRecord {
    const [text, truncated] = withoutTruncationMarker(withoutFinalNewline(input))
    const firstEnd = lineEnd(text, 0, text.length)
    const prefix = this.prefix
    if (!prefix.matchLine(text, 0, firstEnd, this.captures)) return this.unparsed(text, truncated)
    scanFields ??= this.redacting && this.redact.mayApply(text)
    return this.parseMatched(text, 0, firstEnd, text.length, truncated, this.captures, prefix.severity, prefix.severityEnd, scanFields)
  }

  /** The record of text no prefix matched at its start. */
  unparsed(text: string, truncated: boolean): ParsedRecord {
    return unparsedRecord(text, "no log_line_prefix (" + this.prefix.source + ") with a severity at the start of the record", this.redact, truncated)
  }

  /**
   * The record in text[start, end) (final newline and truncation tail already cut off) whose first line,
   * ending at `firstEnd`, matched the prefix with `captures`, severity `code` ending at `severityEnd`.
   * Positions are absolute, so a block parser can hand in one decoded block and the match it already
   * made while cutting records; `scanFields` says whether redaction must look at the fields.
   */
  parseMatched(text: string, start: number, firstEnd: number, end: number, truncated: boolean, captures: Int32Array, code: number, severityEnd: number, scanFields: boolean): ParsedRecord {
    const messageStart = severityEnd + 3
    const record: ParsedRecord = {}
    this.readPrefixFields(text, record, captures)
    record.severity = SEVERITY_NAMES[code]!
    const level = LEVEL_OF_CODE[code]
    if (level !== undefined) record.level = level

    if (firstEnd === end && end - messageStart >= 10 && text.startsWith("duration: ", messageStart)) {
      // Most records of a busy log: one line, `duration: X ms  statement: ...`, read in place.
      readDurationAt(record, text, messageStart, end)
    } else {
      if (firstEnd === end) {
        // One line, one field.
        record.message = text.slice(messageStart, end)
      } else {
        this.readContinuations(text, messageStart, firstEnd, end, record)
        // log_error_verbosity = verbose writes "SQLSTATE: " before the message and a LOCATION line
        // after it, on every record: the code goes where csvlog and jsonlog have it.
        if (record.location !== undefined) moveSqlState(record)
      }
      analyzeMessage(record, record.message ?? "")
      // Errors and warnings, and lock waits met while a statement is parsed (LOG: "process N still waiting
      // for ... at character 22"), end with a position; a statement or plan text that has left the message
      // may end that way too, and is not looked at.
      if (record.duration_kind === undefined) moveCursorPosition(record)
    }
    if (truncated) record.truncated = true
    return finishFields(record, this.redact, "postgres", scanFields)
  }

  /**
   * Lines after the first: tab lines continue the current field, secondary tags open a new field. A
   * line that is neither was written by another process (an archive_command's `cp: cannot create
   * regular file ...`): PostgreSQL writes each message whole, so it and the rest of the record go to
   * stray_text, and the message, statement and fingerprint stay those csvlog and jsonlog give.
   */
  private readContinuations(text: string, messageStart: number, firstEnd: number, recordEnd: number, record: ParsedRecord): void {
    let field = "message"
    let value = text.slice(messageStart, firstEnd)
    let start = firstEnd + 1
    let stray: string | undefined
    while (start <= recordEnd) {
      const end = lineEnd(text, start, recordEnd)
      if (text.charCodeAt(start) === 9) {
        // PostgreSQL writes a TAB after every newline inside a message: drop it to restore the text.
        value += "\n" + text.slice(start + 1, end)
      } else {
        const prefix = this.prefix
        if (prefix.matchLine(text, start, end) && prefix.severity >= FIRST_SECONDARY_CODE) {
          appendField(record, field, value)
          field = SECONDARY_FIELD[prefix.severity]!
          value = text.slice(prefix.severityEnd + 3, end)
        } else {
          stray = text.slice(start, recordEnd)
          break
        }
      }
      start = end + 1
    }
    appendField(record, field, value)
    if (stray !== undefined) record.stray_text = stray
  }

  /**
   * Each escape's value, trimmed, becomes its field. Values are read in place (numbers, times, the
   * remote's parts) and sliced only to become a string field.
   */
  private readPrefixFields(text: string, record: ParsedRecord, captures: Int32Array): void {
    const letters = this.prefix.lettersOf(captures)
    for (let t = 0; t < letters.length; t++) {
      const letter = letters[t]!
      if (letter === 0) continue
      let start = captures[t * 2]!
      if (start < 0) continue
      let end = captures[t * 2 + 1]!
      let s = text
      if (start < end && !(isGraphicAscii(text.charCodeAt(start)) && isGraphicAscii(text.charCodeAt(end - 1)))) {
        s = text.slice(start, end).trim()
        start = 0
        end = s.length
      }
      if (start === end) continue
      switch (letter) {
        case 116 /* t */:
        case 109 /* m */: {
          const micros = postgresTimestampAt(s, start, end)
          if (micros !== undefined) record._timestamp = micros
          break
        }
        case 110 /* n */: record._timestamp = Math.round(Number(s.slice(start, end)) * 1_000_000); break
        case 112 /* p */: record.pid = numberAt(s, start, end); break
        case 117 /* u */: { const value = s.slice(start, end); if (nonEmpty(value)) record.user = value; break }
        case 100 /* d */: { const value = s.slice(start, end); if (nonEmpty(value)) record.database = value; break }
        case 97 /* a */: { const value = s.slice(start, end); if (nonEmpty(value)) record.application_name = value; break }
        case 114 /* r */: readRemote(s, start, end, record); break
        case 104 /* h */: record.client_addr = s.slice(start, end); break
        case 108 /* l */: record.line_num = numberAt(s, start, end); break
        case 101 /* e */:
          // csvlog and jsonlog leave out 00000 ("successful completion"): so does stderr, for the same record.
          if (!(end - start === 5 && s.startsWith("00000", start))) record.sqlstate = s.slice(start, end)
          break
        case 99 /* c */: record.session_id = s.slice(start, end); break
        case 115 /* s */: { const micros = postgresTimestampAt(s, start, end); if (micros !== undefined) record.session_start = micros; break }
        case 118 /* v */: record.virtual_transaction_id = s.slice(start, end); break
        case 120 /* x */: record.transaction_id = numberAt(s, start, end); break
        case 105 /* i */: record.command_tag = s.slice(start, end); break
        case 98 /* b */: record.backend_type = s.slice(start, end); break
        case 81 /* Q */: { const value = s.slice(start, end); if (value !== "0") record.pg_query_id = value; break }
        case 80 /* P */: record.leader_pid = numberAt(s, start, end); break
      }
    }
  }
}

const isGraphicAscii = (c: number) => c > 32 && c < 127

const CURSOR_POSITION = / at character (\d+)$/

/**
 * stderr appends " at character N" to the message where csvlog and jsonlog have a position column:
 * moved into statement_pos (query_pos when the error is in an internal QUERY) so that all three agree.
 */
function moveCursorPosition(record: ParsedRecord): void {
  const message = record.message
  if (message === undefined || message.charCodeAt(message.length - 1) > 57) return
  const m = CURSOR_POSITION.exec(message)
  if (m === null) return
  record.message = message.slice(0, m.index)
  record[record.query !== undefined ? "query_pos" : "statement_pos"] = Number(m[1])
}

/** "XXXXX: message" -> sqlstate XXXXX (left out when 00000, as in csvlog and jsonlog) and "message". */
function moveSqlState(record: ParsedRecord): void {
  const message = record.message
  if (message === undefined || message.length < 7 || message.charCodeAt(5) !== 58 || message.charCodeAt(6) !== 32) return
  for (let i = 0; i < 5; i++) {
    const c = message.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return
  }
  const code = message.slice(0, 5)
  if (code !== "00000") record.sqlstate = code
  record.message = message.slice(7)
}

/** %r, s[start, end): "host(port)" (split at the last "(") or a value kept whole ("[local]"). */
function readRemote(s: string, start: number, end: number, record: ParsedRecord): void {
  if (s.charCodeAt(end - 1) === 41 /* ) */) {
    let open = end - 2
    while (open > start && s.charCodeAt(open) !== 40 /* ( */) open--
    if (open > start) {
      record.client_addr = s.slice(start, open)
      record.client_port = numberAt(s, open + 1, end - 1)
      return
    }
  }
  record.client_addr = s.slice(start, end)
}

function appendField(record: ParsedRecord, field: string, value: string): void {
  // The last line of a field ends before "\n": in a log that went through Windows tools, "\r" is left before it.
  if (value.charCodeAt(value.length - 1) === 13) value = value.slice(0, -1)
  const existing = record[field]
  record[field] = typeof existing === "string" ? existing + "\n" + value : value
}
