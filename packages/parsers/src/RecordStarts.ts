/**
 * Record framing on raw bytes: the offsets of the lines that begin a record (a logical event). Only
 * line starts are candidates, and the answer for a line depends only on that line (and, for the slow
 * log, the line before it), so a file cut anywhere and re-framed with a carried tail gives the same
 * records as the whole file. A last line without "\n" counts only once enough of it is there to decide.
 * Scans bytes with indexOf; nothing is decoded except a few ASCII bytes of each line head.
 */
import type { LogFormat } from "./Format.ts"
import { compilePrefix, FIRST_SECONDARY_CODE, type CompiledPrefix } from "./postgres/Prefix.ts"
import type { ParseOptions } from "./Types.ts"

const NL = 10
const TAB = 9

const isDigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57

/** Decides for the line [start, end) (end excludes "\n"); `complete` = its "\n" was seen. */
type LineRule = (bytes: Uint8Array, start: number, end: number, complete: boolean) => boolean

export function recordStarts(format: LogFormat, bytes: Uint8Array, from = 0, to = bytes.length, options?: ParseOptions): number[] {
  const starts: number[] = []
  if (to > bytes.length) to = bytes.length
  if (from >= to) return starts
  const rule = ruleOf(format, options)
  // A Node Buffer's own indexOf normalises its arguments on every call; the plain typed-array one does not.
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // A candidate is `from` itself only when it is a line start.
  let p = from
  if (from > 0 && bytes[from - 1] !== NL) {
    const nl = bytes.indexOf(NL, from)
    if (nl < 0 || nl + 1 >= to) return starts
    p = nl + 1
  }
  while (p < to) {
    const nl = bytes.indexOf(NL, p)
    const complete = nl >= 0 && nl < to
    const end = complete ? nl : to
    if (rule(bytes, p, end, complete)) starts.push(p)
    if (!complete) break
    p = nl + 1
  }
  return starts
}

/**
 * The last of recordStarts(format, bytes, from, to), or -1 when there is none, found by judging the lines from the
 * end backwards: where a block of whole records ends is decided without judging every line before it (each line is
 * judged on itself, so the answer is the same).
 */
export function lastRecordStart(format: LogFormat, bytes: Uint8Array, from = 0, to = bytes.length, options?: ParseOptions): number {
  if (to > bytes.length) to = bytes.length
  if (from >= to) return -1
  const rule = ruleOf(format, options)
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype) bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let first = from
  if (from > 0 && bytes[from - 1] !== NL) {
    const nl = bytes.indexOf(NL, from)
    if (nl < 0 || nl + 1 >= to) return -1
    first = nl + 1
  }
  // The last line is complete when its "\n" is the last byte before `to`.
  let complete = bytes[to - 1] === NL
  let end = complete ? to - 1 : to
  for (;;) {
    const start = end === 0 ? 0 : bytes.lastIndexOf(NL, end - 1) + 1
    if (start < first) return -1
    if (rule(bytes, start, end, complete)) return start
    if (start === first) return -1
    end = start - 1
    complete = true
  }
}

/**
 * recordStarts(format, bytes) for a whole block the caller also holds as Latin-1 text (one character
 * per byte, so the same positions): the lines are found with the string's indexOf, which costs less
 * per call than the byte array's, and judged on the bytes as recordStarts judges them.
 */
export function blockRecordStarts(format: LogFormat, bytes: Uint8Array, text: string, options?: ParseOptions): number[] {
  const starts: number[] = []
  const rule = ruleOf(format, options)
  const n = bytes.length
  let p = 0
  while (p < n) {
    const nl = text.indexOf("\n", p)
    const complete = nl >= 0
    const end = complete ? nl : n
    if (rule(bytes, p, end, complete)) starts.push(p)
    if (!complete) break
    p = nl + 1
  }
  return starts
}

function ruleOf(format: LogFormat, options?: ParseOptions): LineRule {
  switch (format) {
    case "postgres": return postgresStderrRule(compilePrefix(options?.logLinePrefix))
    case "postgres-csv": return csvlogRule
    case "postgres-json": return jsonlogRule
    case "mysql-error": return errorLogRule
    case "mysql-slow": return slowLogRule
    case "mysql-general": return generalLogRule
    case "mysql-audit": return auditLogRule
  }
}

const stderrRules = new Map<CompiledPrefix, LineRule>()

/** A prefixed line with a severity tag that is not DETAIL/HINT/CONTEXT/STATEMENT/QUERY/LOCATION. */
function postgresStderrRule(prefix: CompiledPrefix): LineRule {
  let rule = stderrRules.get(prefix)
  if (rule === undefined) {
    rule = (bytes, start, end) => {
      const c = bytes[start]
      if (c === TAB || c === undefined) return false
      return prefix.matchLine(bytes, start, end) && prefix.severity < FIRST_SECONDARY_CODE
    }
    stderrRules.set(prefix, rule)
  }
  return rule
}

/** "YYYY-MM-DD HH:MM:SS.mmm ZONE," */
const csvlogRule: LineRule = (bytes, start, end) => {
  if (end - start < 25 || !dateAt(bytes, start) || bytes[start + 10] !== 32 || !clockAt(bytes, start + 11) || bytes[start + 19] !== 46) return false
  for (let i = start + 24; i < end && i < start + 48; i++) {
    const c = bytes[i]
    if (c === 44) return true
    if (c === 32 || c === 34) return false
  }
  return false
}

/** One JSON object per line. */
const jsonlogRule: LineRule = (bytes, start, end) => end - start >= 2 && bytes[start] === 123 && bytes[start + 1] === 34

/** "YYYY-MM-DD" */
function dateAt(b: Uint8Array, i: number): boolean {
  return isDigit(b[i]) && isDigit(b[i + 1]) && isDigit(b[i + 2]) && isDigit(b[i + 3]) && b[i + 4] === 45 &&
    isDigit(b[i + 5]) && isDigit(b[i + 6]) && b[i + 7] === 45 && isDigit(b[i + 8]) && isDigit(b[i + 9])
}

/** "HH:MM:SS" */
function clockAt(b: Uint8Array, i: number): boolean {
  return isDigit(b[i]) && isDigit(b[i + 1]) && b[i + 2] === 58 && isDigit(b[i + 3]) && isDigit(b[i + 4]) && b[i + 5] === 58 && isDigit(b[i + 6]) && isDigit(b[i + 7])
}

/** " H:MM:SS" or "HH:MM:SS" (MariaDB pads the hour with a space): the index after it, or -1. */
function paddedClockAt(b: Uint8Array, i: number): number {
  if (b[i] === 32 && isDigit(b[i + 1]) && b[i + 2] === 58 && isDigit(b[i + 3]) && isDigit(b[i + 4]) && b[i + 5] === 58 && isDigit(b[i + 6]) && isDigit(b[i + 7])) return i + 8
  if (clockAt(b, i)) return i + 8
  return -1
}

/** An ISO-8601 time "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)": the index after it, or -1. */
function isoTimeAt(b: Uint8Array, i: number, end: number): number {
  if (end - i < 20 || !dateAt(b, i) || b[i + 10] !== 84 || !clockAt(b, i + 11)) return -1
  let j = i + 19
  if (b[j] === 46) { j++; while (j < end && isDigit(b[j])) j++ }
  if (b[j] === 90) return j + 1
  if ((b[j] === 43 || b[j] === 45) && isDigit(b[j + 1]) && isDigit(b[j + 2])) {
    j += 3
    if (b[j] === 58) j++
    if (isDigit(b[j]) && isDigit(b[j + 1])) return j + 2
    return -1
  }
  return -1
}

/** "YYMMDD H:MM:SS" / "YYMMDD HH:MM:SS": the index after it, or -1. */
function shortTimeAt(b: Uint8Array, i: number): number {
  for (let k = 0; k < 6; k++) if (!isDigit(b[i + k])) return -1
  if (b[i + 6] !== 32) return -1
  return paddedClockAt(b, i + 7)
}

/** Error log: ISO time + space, "YYYY-MM-DD  H:MM:SS " (MariaDB / 5.6), or "YYMMDD H:MM:SS ". */
const errorLogRule: LineRule = (b, start, end) => {
  const c = b[start]
  if (!isDigit(c)) return false
  let j = isoTimeAt(b, start, end)
  if (j < 0 && dateAt(b, start) && b[start + 10] === 32) j = paddedClockAt(b, start + 11)
  if (j < 0) j = shortTimeAt(b, start)
  return j > 0 && j < end && b[j] === 32
}

/** General log: "<time or nothing>\t  <thread> <Command>", or a banner line. */
const generalLogRule: LineRule = (b, start, end) => {
  let j: number
  const c = b[start]
  if (c === TAB) j = start
  else if (isDigit(c)) {
    j = isoTimeAt(b, start, end)
    if (j < 0) j = shortTimeAt(b, start)
    if (j < 0) return false
  } else return bannerRule(b, start, end)
  if (b[j] !== TAB) return false
  j++
  while (j < end && b[j] === 32) j++
  if (c === TAB && b[start + 1] !== TAB) return false
  if (c === TAB) { j = start + 2; while (j < end && b[j] === 32) j++ }
  const digits = j
  while (j < end && isDigit(b[j])) j++
  if (j === digits || b[j] !== 32) return false
  const letter = b[j + 1]
  return letter !== undefined && letter >= 65 && letter <= 90 && j + 1 < end
}

/**
 * Slow log: "# Time: <digit>", "# User@Host: ...[...] @ ..." not right after such a "# Time:", and server
 * banners. A statement's own lines can begin with "# Time:" or "# User@Host:" (a comment, a multi-line
 * literal); mysqld's lines are told apart by what follows: a time, and the "user[user] @ host" form.
 */
const slowLogRule: LineRule = (b, start, end) => {
  const c = b[start]
  if (c === 35 /* # */) {
    if (isSlowTimeLine(b, start, end)) return true
    if (startsWithAscii(b, start, end, "# User@Host: ") && isUserAtHost(b, start + 13, end)) {
      const previous = previousLineStart(b, start)
      return previous < 0 || !isSlowTimeLine(b, previous, start - 1)
    }
    return false
  }
  return bannerRule(b, start, end)
}

/** "# Time: " and a digit: "YYMMDD H:MM:SS" (MariaDB, 5.6) or an ISO time (5.7, 8.0). */
function isSlowTimeLine(b: Uint8Array, start: number, end: number): boolean {
  return startsWithAscii(b, start, end, "# Time: ") && end - start > 8 && isDigit(b[start + 8])
}

/** "user[user] @ ": a "[" before the first "] @ " of the line. */
function isUserAtHost(b: Uint8Array, from: number, end: number): boolean {
  let open = -1
  for (let i = from; i + 3 < end; i++) {
    const c = b[i]
    if (c === 91 /* [ */ && open < 0) open = i
    else if (c === 93 /* ] */ && open >= 0 && b[i + 1] === 32 && b[i + 2] === 64 && b[i + 3] === 32) return true
  }
  return false
}

/** Banner lines; "Tcp port:" and "Time  Id Command" lines belong to the banner line above them. */
function bannerRule(b: Uint8Array, start: number, end: number): boolean {
  const c = b[start]
  if (c === 84 /* T */) {
    if (startsWithAscii(b, start, end, "Tcp port: ")) {
      const previous = previousLineStart(b, start)
      return previous < 0 || !endsWithAscii(b, start - 1, " started with:")
    }
    if (startsWithAscii(b, start, end, "Time") && isTimeIdCommand(b, start, end)) {
      const previous = previousLineStart(b, start)
      return previous < 0 || !startsWithAscii(b, previous, start - 1, "Tcp port: ")
    }
    return false
  }
  return end - start > 14 && endsWithAscii(b, end, " started with:") && containsAscii(b, start, end, ", Version: ")
}

function isTimeIdCommand(b: Uint8Array, start: number, end: number): boolean {
  let j = start + 4
  if (b[j] !== 32 && b[j] !== TAB) return false
  while (j < end && (b[j] === 32 || b[j] === TAB)) j++
  return startsWithAscii(b, j, end, "Id")
}

/** Audit: "<10+ digits>," or "YYYYMMDD HH:MM:SS,". */
const auditLogRule: LineRule = (b, start, end) => {
  let j = start
  while (j < end && isDigit(b[j])) j++
  const digits = j - start
  if (digits >= 10 && b[j] === 44) return true
  return digits === 8 && b[j] === 32 && clockAt(b, j + 1) && b[j + 9] === 44
}

function startsWithAscii(b: Uint8Array, start: number, end: number, text: string): boolean {
  if (end - start < text.length) return false
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false
  return true
}

function endsWithAscii(b: Uint8Array, end: number, text: string): boolean {
  let e = end
  if (e > 0 && b[e - 1] === 13) e--
  const start = e - text.length
  if (start < 0) return false
  for (let k = 0; k < text.length; k++) if (b[start + k] !== text.charCodeAt(k)) return false
  return true
}

function containsAscii(b: Uint8Array, start: number, end: number, text: string): boolean {
  const first = text.charCodeAt(0)
  for (let i = start; i + text.length <= end; i++) {
    if (b[i] === first && startsWithAscii(b, i, end, text)) return true
  }
  return false
}

/** Start of the line before the line at `start`, or -1 when there is none in the buffer. */
function previousLineStart(b: Uint8Array, start: number): number {
  if (start === 0) return -1
  if (start < 2) return 0
  const nl = b.lastIndexOf(NL, start - 2)
  return nl < 0 ? 0 : nl + 1
}
