/**
 * What a PostgreSQL message says beyond its text, shared by the stderr, csvlog and jsonlog parsers so
 * that the same event gives the same fields whatever the destination: `duration: X ms  statement: ...`
 * (and execute/parse/bind/plan), connection and disconnection lines, checkpoints, autovacuum, temp
 * files, lock waits and deadlocks.
 */
import { numberAt } from "../Numbers.ts"
import { parseSessionTimeMs } from "../Timestamp.ts"
import type { ParsedRecord } from "../Types.ts"

const STATEMENT = /^(statement|execute|parse|bind)(?: ([^:\n]*))?: /
const SESSION_TIME = /^disconnection: session time: (\d+:\d\d:\d\d(?:\.\d+)?)(?: user=(\S*))?(?: database=(\S*))?(?: host=(\S*))?(?: port=(\d+))?/
const CONNECTION_RECEIVED = /^connection received: host=(\S+)(?: port=(\d+))?/
const CONNECTION_AUTHORIZED = /^connection authorized: user=(\S+)(?: database=(\S+))?(?: application_name=(.*?))?(?: SSL enabled| GSS|$|\n)/
const TEMP_FILE = /^temporary file: path "[^"]*", size (\d+)/

/** Adds the fields `message` implies to `record`; `message` is the full (multi-line) message text. */
export function analyzeMessage(record: ParsedRecord, message: string): void {
  const first = message.charCodeAt(0)
  if (first === 100 /* d */) {
    if (message.startsWith("duration: ")) {
      readDurationAt(record, message, 0, message.length)
      return
    }
    if (message.startsWith("disconnection: ")) {
      record.event = "disconnection"
      const m = SESSION_TIME.exec(message)
      if (m !== null) {
        const ms = parseSessionTimeMs(m[1]!)
        if (ms !== undefined) record.session_time_ms = ms
      }
      return
    }
    if (message.startsWith("deadlock detected")) record.event = "deadlock"
    return
  }
  if (first === 115 /* s */ || first === 101 /* e */ || first === 112 /* p */ || first === 98 /* b */) {
    const m = STATEMENT.exec(message)
    if (m !== null) {
      if (m[2] !== undefined && m[2] !== "") record.prepared_name = m[2]
      splitStatement(record, message, m[0].length - 1, m[0].length)
      return
    }
    if (first !== 112) return
  }
  if (first === 99 /* c */) {
    if (message.startsWith("connection received: ")) {
      record.event = "connection_received"
      const m = CONNECTION_RECEIVED.exec(message)
      if (m !== null) {
        if (record.client_addr === undefined) record.client_addr = m[1]!
        if (m[2] !== undefined && record.client_port === undefined) record.client_port = Number(m[2])
      }
    } else if (message.startsWith("connection authorized: ")) {
      record.event = "connection_authorized"
      const m = CONNECTION_AUTHORIZED.exec(message)
      if (m !== null) {
        if (record.user === undefined) record.user = m[1]!
        if (m[2] !== undefined && record.database === undefined) record.database = m[2]
        if (m[3] !== undefined && m[3] !== "" && record.application_name === undefined) record.application_name = m[3]
      }
    } else if (message.startsWith("connection authenticated: ")) record.event = "connection_authenticated"
    else if (message.startsWith("checkpoint starting: ")) record.event = "checkpoint_starting"
    else if (message.startsWith("checkpoint complete: ")) record.event = "checkpoint_complete"
    else if (message.startsWith("canceling statement due to statement timeout")) record.event = "statement_timeout"
    return
  }
  if (first === 97 /* a */) {
    if (message.startsWith("automatic vacuum ")) record.event = "autovacuum"
    else if (message.startsWith("automatic analyze ")) record.event = "autoanalyze"
    else if (message.startsWith("automatic aggressive vacuum")) record.event = "autovacuum"
    return
  }
  if (first === 116 /* t */) {
    const m = TEMP_FILE.exec(message)
    if (m !== null) {
      record.event = "temp_file"
      record.temp_file_bytes = Number(m[1])
    }
    return
  }
  if (message.startsWith("process ")) {
    if (/^process \d+ still waiting for /.test(message)) record.event = "lock_waiting"
    else if (/^process \d+ acquired /.test(message)) record.event = "lock_acquired"
    else if (/^process \d+ detected deadlock/.test(message)) record.event = "deadlock"
  }
}

/** The statement kinds auto_explain and log_min_duration_statement write after `duration: X ms  `. */
const DURATION_KINDS = ["statement", "execute", "parse", "bind", "plan", "fastpath function call"] as const

/**
 * `duration: X ms[  kind[ name]: text]`, the message held as text[start, end) (the whole message for
 * analyzeMessage, in place in its block for the stderr parser's most common record: no slice of the whole
 * message is made first). Read without a regex: it is most records of a busy log. Sets `message` (the
 * head only when a statement follows: "duration: 0.853 ms  statement:", the SQL going to `statement`, so
 * that message + " " + statement is the logged text and the SQL is not shipped twice) and the duration's
 * fields; everything is decided before the first store, so that `message` comes first whether or not the
 * record had it already.
 */
export function readDurationAt(record: ParsedRecord, text: string, start: number, end: number): void {
  // " ms" within 40 characters, searched only there: the text may go on past the message.
  let msAt = -1
  for (let i = start + 10, last = Math.min(start + 40, end - 3); i <= last; i++) {
    if (text.charCodeAt(i) === 32 && text.charCodeAt(i + 1) === 109 && text.charCodeAt(i + 2) === 115) { msAt = i; break }
  }
  const ms = msAt < 0 ? NaN : numberAt(text, start + 10, msAt)
  if (!Number.isFinite(ms)) {
    record.message = text.slice(start, end)
    return
  }
  // The kind after "  ", and where its ": " ends (execute/parse/bind may name a prepared statement first).
  let kind: (typeof DURATION_KINDS)[number] | undefined
  let colon = -1
  let nameStart = -1
  let nameEnd = -1
  let at = msAt + 3
  if (at + 1 < end && text.charCodeAt(at) === 32 && text.charCodeAt(at + 1) === 32) {
    at += 2
    for (const candidate of DURATION_KINDS) {
      if (end - at < candidate.length || !text.startsWith(candidate, at)) continue
      let after = at + candidate.length
      const next = after < end ? text.charCodeAt(after) : NaN
      if (next === 32 && candidate !== "plan" && candidate !== "statement") {
        const close = codeWithin(text, 58, after + 1, end)
        const newline = codeWithin(text, 10, after + 1, end)
        if (close < 0 || (newline >= 0 && newline < close)) break
        nameStart = after + 1
        nameEnd = close
        after = close
      } else if (next !== 58) continue
      kind = candidate
      colon = after
      break
    }
  }
  if (kind === undefined || kind === "plan") {
    record.message = text.slice(start, end)
    record.duration_ms = ms
    if (kind === "plan") {
      record.duration_kind = kind
      record.event = "auto_explain_plan"
    }
    return
  }
  // The text starts after ": " (or after ":" when it begins on the next line).
  const textStart = colon + 1 < end && text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1
  record.message = text.slice(start, colon + 1)
  record.duration_ms = ms
  if (nameEnd > nameStart) record.prepared_name = text.slice(nameStart, nameEnd)
  record.duration_kind = kind === "fastpath function call" ? "fastpath" : kind
  record.statement = text.slice(textStart, end)
}

/** The first index of the char `code` in text[from, end), or -1 (a search that stops at the message's end). */
function codeWithin(text: string, code: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (text.charCodeAt(i) === code) return i
  return -1
}

/**
 * Moves the statement out of the message: `message` keeps the head ("duration: 0.853 ms  statement:"),
 * `statement` gets the SQL, so that message + " " + statement is the logged text and the SQL is not
 * shipped twice (it is most of the bytes of a busy log).
 */
function splitStatement(record: ParsedRecord, message: string, headEnd: number, textStart: number): void {
  record.statement = message.slice(textStart)
  record.message = message.slice(0, headEnd)
}
