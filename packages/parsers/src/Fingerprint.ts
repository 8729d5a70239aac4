/**
 * Statement fingerprints: the shape of a statement with its values taken out, so that statements
 * that differ only in literals group together. pt-fingerprint's rules for MySQL (literals to `?`,
 * IN (...) and VALUES (...) lists collapsed, comments dropped, whitespace folded, lowercased, `use db`
 * to `use ?`); the same spirit for PostgreSQL, where `$n` parameters, "quoted identifiers", E'...' and
 * $tag$ strings follow PostgreSQL's lexical rules. One pass over the characters, then two list regexes.
 */
import { latin1Slice, ucs2Write } from "./BufferCalls.ts"

export type SqlDialect = "mysql" | "postgres"

const isWordChar = (c: number) =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c > 127
const isDigit = (c: number) => c >= 48 && c <= 57
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11

const IN_LIST = /\bin ?\( ?\?(?: ?, ?\?)* ?\)/g
const VALUES_LIST = /\bvalues? ?\( ?\?(?: ?, ?\?)* ?\)(?: ?, ?\( ?\?(?: ?, ?\?)* ?\))*/g
const LIMIT_PAIR = /\blimit \?(?: ?, ?\?| offset \?)/g
const USE_DB = /^use \S+$/
const CALL = /^(call \S+)\(/
const NULL_WORD = /\bnull\b/g
const UNION_REPEAT = /\b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+/g
/**
 * UNION_REPEAT's time grows with the square of the text (every SELECT is tried against the rest): 1.5 s for a
 * 240 KB statement of 5000 UNION ALLs. Longer fingerprints keep their repeats; at this length it costs about 1 ms.
 */
const MAX_UNION_COLLAPSE = 4096

/** Character classes of ASCII codes: 0 = copied as is; the others may begin something to rewrite. */
const PLAIN = 0, SPACE = 1, OTHER_SPACE = 2, SINGLE_QUOTE = 3, DOUBLE_QUOTE = 4, DIGIT = 5, DASH = 6, SLASH = 7, HASH = 8, DOLLAR = 9, DOT = 11
const CLASS = new Uint8Array(128)
CLASS[32] = SPACE
for (const c of [9, 10, 11, 12, 13]) CLASS[c] = OTHER_SPACE
CLASS[39] = SINGLE_QUOTE
CLASS[34] = DOUBLE_QUOTE
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT
CLASS[45] = DASH
CLASS[47] = SLASH
CLASS[35] = HASH
CLASS[36] = DOLLAR
CLASS[46] = DOT

/** E'...', B'...', X'...', N'...': a letter right before the quote that makes it a prefixed string. */
const isStringPrefix = (c: number) => c === 69 || c === 101 || c === 66 || c === 98 || c === 88 || c === 120 || c === 78 || c === 110

/** ASCII lowercase table. */
const LOWER = new Uint8Array(256)
for (let c = 0; c < 256; c++) LOWER[c] = c >= 65 && c <= 90 ? c + 32 : c

/**
 * What the byte path writes for each UTF-16 code unit that is copied as it is (lowercased), or 0 for the
 * others: the characters that may begin something to rewrite, NUL (the end marker), and those above
 * U+00FF. One load and one test per character in the common case, with no range check before it.
 */
const COPY = new Uint8Array(65536)
for (let c = 1; c < 256; c++) COPY[c] = c >= 128 ? c : CLASS[c] === PLAIN ? LOWER[c]! : 0

/** Output buffer of the byte path, reused across calls. */
let bytesOut = Buffer.allocUnsafe(64 * 1024)
/** bytesOut as 32-bit words, when it starts at a multiple of 4 in its memory (for comparing it with recent outputs). */
let bytesOutWords = wordsOf(bytesOut)

function wordsOf(bytes: Buffer): Uint32Array | undefined {
  return (bytes.byteOffset & 3) === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2) : undefined
}

/**
 * The fingerprint of one statement. Statements made only of Latin-1 characters (nearly all) take the
 * byte path: one pass over the statement's code units writing lowercased bytes into a reused buffer,
 * then one string (or the one kept for a recent statement of the same shape, see finishLowered); others
 * take the general path over string slices. Both apply the same rules.
 */
export function fingerprint(sql: string, dialect: SqlDialect): string {
  const mysql = dialect === "mysql"
  const length = fingerprintUnits(sql, codeUnitsOf(sql), mysql)
  return length < 0 ? finishFingerprint(fingerprintGeneral(sql, dialect), mysql) : finishLowered(length, mysql)
}

/** The paths and the last step, for tests that hold the paths to the same answers (not exported by the package). */
export const fingerprintPaths = { latin1: fingerprintLatin1, general: fingerprintGeneral, finish: finishFingerprint }

/** stringEnd over the code units of a statement of length n. */
function stringEndBytes(b: Uint16Array, n: number, from: number, quote: number, backslashEscapes: boolean): number {
  let j = from
  while (j < n) {
    const d = b[j]!
    if (d === 92 && backslashEscapes) { j += 2; continue }
    if (d === quote) {
      if (b[j + 1] === quote) { j += 2; continue }
      return j + 1
    }
    j++
  }
  return n
}

/** Code units of the Latin-1 path, reused across calls. */
let units = new Uint16Array(32 * 1024)
let unitBytes = Buffer.from(units.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * The statement's UTF-16 code units, copied natively (Buffer#ucs2Write writes little-endian) into a
 * reused array, then two 0 units that stand for "past the end": a typed array reads faster than
 * charCodeAt on a sliced string. ASCII statements are copied this way too: one array type keeps the
 * pass below monomorphic, which made it faster than reading an ASCII statement's UTF-8 bytes.
 */
function codeUnitsOf(sql: string): Uint16Array {
  const n = sql.length
  if (units.length < n + 2) {
    units = new Uint16Array(Math.max(n + 2, units.length * 2))
    unitBytes = Buffer.from(units.buffer)
  }
  const u = units
  if (LITTLE_ENDIAN) ucs2Write(unitBytes, sql, 0)
  else for (let i = 0; i < n; i++) u[i] = sql.charCodeAt(i)
  u[n] = 0
  u[n + 1] = 0
  return u
}

/**
 * The byte path for statements made of Latin-1 characters: the rules over the statement's code units;
 * undefined when a character above U+00FF is to be copied.
 */
function fingerprintLatin1(sql: string, mysql: boolean): string | undefined {
  const length = fingerprintUnits(sql, codeUnitsOf(sql), mysql)
  return length < 0 ? undefined : latin1Slice(bytesOut, 0, length)
}

/** Longer lowered texts are not kept: comparing them costs about what it saves. */
const RECENT_MAX_LENGTH = 512
/** Slots of the table of recent fingerprints (a power of two). */
const RECENT_SLOTS = 512
/** Per slot: the lowered bytes of the byte path (before finishFingerprint), in a region of RECENT_MAX_LENGTH bytes. */
const recentBytes = new Uint8Array(RECENT_SLOTS * RECENT_MAX_LENGTH)
const recentWords = new Uint32Array(recentBytes.buffer)
/** Per slot: the length of those bytes (-1: empty), their dialect (1: MySQL), and their fingerprint. */
const recentLength = new Int32Array(RECENT_SLOTS).fill(-1)
const recentMysql = new Uint8Array(RECENT_SLOTS)
const recentFingerprints: string[] = new Array<string>(RECENT_SLOTS).fill("")

/**
 * finishFingerprint of the byte path's output (bytesOut[0, length)). Statements of the same shape give
 * the same lowered text, and a log repeats a few hundred shapes (in each fixture log, 81 to 95 % of the
 * fingerprints are among the 64 before them), so the answers are kept in a table with one entry per slot,
 * found by the length and a few of the bytes and compared four bytes at a time: a hit costs that
 * comparison instead of the string made from the bytes and the list searches.
 */
function finishLowered(length: number, mysql: boolean): string {
  const out = bytesOut
  if (length === 0 || length > RECENT_MAX_LENGTH) return finishFingerprint(latin1Slice(out, 0, length), mysql)
  const slot = (length * 31 + out[length - 1]! * 7 + out[length >> 1]! * 5 + out[length >> 2]! * 3 + out[(length * 3) >> 2]! + (mysql ? 17 : 0)) & (RECENT_SLOTS - 1)
  const flag = mysql ? 1 : 0
  if (recentLength[slot] === length && recentMysql[slot] === flag && sameAsRecent(slot, length)) return recentFingerprints[slot]!
  const fp = finishFingerprint(latin1Slice(out, 0, length), mysql)
  recentBytes.set(out.subarray(0, length), slot * RECENT_MAX_LENGTH)
  recentLength[slot] = length
  recentMysql[slot] = flag
  recentFingerprints[slot] = fp
  return fp
}

/** Whether bytesOut[0, length) holds the bytes kept in `slot`. */
function sameAsRecent(slot: number, length: number): boolean {
  const words = bytesOutWords
  const base = slot * RECENT_MAX_LENGTH
  let k = 0
  if (words !== undefined) {
    const baseWord = base >>> 2
    const count = length >>> 2
    for (let w = 0; w < count; w++) if (words[w] !== recentWords[baseWord + w]) return false
    k = count * 4
  }
  const out = bytesOut
  for (; k < length; k++) if (out[k] !== recentBytes[base + k]) return false
  return true
}

/**
 * The byte path's one pass, over the statement's code units followed by two 0 entries that stand for
 * "past the end" (charCodeAt's NaN): no rule treats NUL as anything but plain text. Writes the lowered
 * text into bytesOut and returns its length; -1 when a character above U+00FF is to be copied.
 */
function fingerprintUnits(sql: string, u: Uint16Array, mysql: boolean): number {
  const n = sql.length
  if (bytesOut.length < n + 8) {
    bytesOut = Buffer.allocUnsafe(Math.max(n + 8, bytesOut.length * 2))
    bytesOutWords = wordsOf(bytesOut)
  }
  const out = bytesOut
  let o = 0
  let i = 0
  while (i < n) {
    const c = u[i]!
    let copy = COPY[c]!
    if (copy !== 0) {
      // A run of plain characters and the single blanks between them (the SPACE case below would copy
      // such a blank as it is): the 0 entries after the statement end it.
      do {
        out[o++] = copy
        copy = COPY[u[++i]!]!
        if (copy === 0 && u[i] === 32) {
          copy = COPY[u[i + 1]!]!
          if (copy !== 0) { out[o++] = 32; i++ }
        }
      } while (copy !== 0)
      continue
    }
    if (c > 255) return -1
    const k = CLASS[c]!
    if (k === PLAIN) { out[o++] = c; i++; continue }
    switch (k) {
      case SPACE:
      case OTHER_SPACE: {
        let j = i + 1
        while (j < n && isSpace(u[j]!)) j++
        if (o > 0 && out[o - 1] !== 32) out[o++] = 32
        i = j
        continue
      }
      case SINGLE_QUOTE: {
        const before = i > 0 ? u[i - 1]! : 32
        let escapes = mysql
        if (isStringPrefix(before) && (i < 2 || !isWordChar(u[i - 2]!)) && o > 0 && out[o - 1] === LOWER[before]) {
          o--
          if (before === 69 || before === 101) escapes = true
        }
        out[o++] = 63
        i = stringEndBytes(u, n, i + 1, 39, escapes)
        continue
      }
      case DOUBLE_QUOTE: {
        if (mysql) { out[o++] = 63; i = stringEndBytes(u, n, i + 1, 34, true); continue }
        // PostgreSQL "quoted identifier": kept, and its content is not read as literals.
        const close = sql.indexOf("\"", i + 1)
        const j = close < 0 ? n : close + 1
        for (; i < j; i++) {
          const d = u[i]!
          if (d > 255) return -1
          out[o++] = LOWER[d]!
        }
        continue
      }
      case DOT:
      case DIGIT: {
        const prev = i > 0 ? u[i - 1]! : 32
        if (isWordChar(prev) || prev === 46 || (k === DOT && !isDigit(u[i + 1]!))) { out[o++] = c; i++; continue }
        let j = i + 1
        if (c === 48 && (u[j]! === 120 || u[j]! === 88 || u[j]! === 98)) j++
        while (j < n) {
          const d = u[j]!
          if (isDigit(d) || d === 46 || (d >= 97 && d <= 102) || (d >= 65 && d <= 70)) { j++; continue }
          if ((d === 43 || d === 45) && (u[j - 1]! === 101 || u[j - 1]! === 69)) { j++; continue }
          break
        }
        if (j < n && isWordChar(u[j]!)) {
          // An identifier that starts with digits (MySQL allows 1abc): copied.
          while (j < n && isWordChar(u[j]!)) j++
          for (; i < j; i++) {
            const d = u[i]!
            if (d > 255) return -1
            out[o++] = LOWER[d]!
          }
          continue
        }
        out[o++] = 63
        i = j
        continue
      }
      case DASH:
        if (u[i + 1]! !== 45) { out[o++] = c; i++; continue }
        i = lineEndFrom(sql, i)
        continue
      case HASH:
        if (!mysql) { out[o++] = c; i++; continue }
        i = lineEndFrom(sql, i)
        continue
      case SLASH: {
        if (u[i + 1]! !== 42) { out[o++] = c; i++; continue }
        const close = sql.indexOf("*/", i + 2)
        i = close < 0 ? n : close + 2
        continue
      }
      case DOLLAR: {
        if (mysql || (i > 0 && isWordChar(u[i - 1]!))) { out[o++] = c; i++; continue }
        if (isDigit(u[i + 1]!)) {
          // $n parameter: kept as written.
          out[o++] = 36
          i++
          while (i < n && isDigit(u[i]!)) out[o++] = u[i++]!
          continue
        }
        const tagEnd = dollarTagEnd(sql, i)
        if (tagEnd < 0) { out[o++] = c; i++; continue }
        const close = sql.indexOf(sql.slice(i, tagEnd + 1), tagEnd + 1)
        out[o++] = 63
        i = close < 0 ? n : close + (tagEnd + 1 - i)
        continue
      }
    }
  }
  // finishFingerprint's trim of the client's ";" and blanks, made here on the bytes, saves it a slice.
  while (o > 0 && (out[o - 1] === 59 || out[o - 1] === 32)) o--
  return o
}

/** Trims, drops the client's ";" and collapses IN (...), VALUES (...) and LIMIT ?, ? lists. */
function finishFingerprint(lowered: string, mysql: boolean): string {
  let fp = lowered
  let end = fp.length
  while (end > 0 && (fp.charCodeAt(end - 1) === 59 || fp.charCodeAt(end - 1) === 32)) end--
  const start = fp.charCodeAt(0) === 32 ? 1 : 0
  if (start > 0 || end < fp.length) fp = fp.slice(start, end)
  if (mysql) {
    // pt-fingerprint's MySQL-only rules: a CALL is the procedure's name, a multi-row INSERT/REPLACE
    // keeps its first row (whatever the rows hold), NULL is a value like any other.
    const c = fp.charCodeAt(0)
    if (c === 99 /* c */ && fp.startsWith("call ")) {
      const call = CALL.exec(fp)
      if (call !== null) return call[1]!
    } else if ((c === 105 /* i */ || c === 114 /* r */) && (fp.includes("),") || fp.includes(") ,"))) fp = firstInsertRow(fp)
    if (fp.includes("null")) fp = fp.replace(NULL_WORD, "?")
  }
  // Each list the checks below look for holds "(?" or "limit ?": one search rules most statements out.
  if (fp.includes("(?")) {
    if (fp.includes("in (?") || fp.includes("in(?")) fp = fp.replace(IN_LIST, "in(?+)")
    if (fp.includes("values (?") || fp.includes("values(?") || fp.includes("value (?")) fp = fp.replace(VALUES_LIST, "values(?+)")
  }
  if (fp.includes("limit ?") && (fp.includes("limit ?,") || fp.includes("limit ? ,") || fp.includes("limit ? offset ?"))) fp = fp.replace(LIMIT_PAIR, "limit ?")
  if (mysql) {
    if (fp.startsWith("use ") && USE_DB.test(fp)) return "use ?"
    if (fp.length <= MAX_UNION_COLLAPSE && fp.includes(" union ")) fp = fp.replace(UNION_REPEAT, "$1 /*repeat$2*/")
    if (fp.includes(" asc")) fp = withoutAscAfterOrderBy(fp)
  }
  return fp
}

/**
 * pt-fingerprint's cut of a multi-row INSERT/REPLACE (`(INSERT|REPLACE)( IGNORE)? INTO .+? VALUES ?(.*?) ?, ?(`):
 * the text up to the first ")" after VALUES ( that a further "(" row follows, or the text as it is.
 */
function firstInsertRow(fp: string): string {
  const head = /^(?:insert|replace)(?: ignore)? into./.exec(fp)
  if (head === null) return fp
  let at = head[0].length
  let open = -1
  while ((at = fp.indexOf("values", at)) >= 0) {
    at += 6
    const p = fp.charCodeAt(at) === 32 ? at + 1 : at
    if (fp.charCodeAt(p) === 40 /* ( */) { open = p; break }
  }
  if (open < 0) return fp
  let close = open
  while ((close = fp.indexOf(")", close + 1)) >= 0) {
    let j = close + 1
    if (fp.charCodeAt(j) === 32) j++
    if (fp.charCodeAt(j) !== 44 /* , */) continue
    j++
    if (fp.charCodeAt(j) === 32) j++
    if (fp.charCodeAt(j) === 40) return fp.slice(0, close + 1)
  }
  return fp
}

/**
 * pt-fingerprint drops " asc" after the first ORDER BY as its `\G(.+?)\s+ASC` substitution does: each
 * match starts where the one before ended and needs a character before its " asc" (which also takes
 * the "asc" of "ascii").
 */
function withoutAscAfterOrderBy(fp: string): string {
  let orderBy = fp.indexOf("order by ")
  while (orderBy > 0 && isWordChar(fp.charCodeAt(orderBy - 1))) orderBy = fp.indexOf("order by ", orderBy + 1)
  if (orderBy < 0) return fp
  let out = ""
  let copied = 0
  let from = orderBy + 9
  let asc: number
  while ((asc = fp.indexOf(" asc", from + 1)) >= 0) {
    out += fp.slice(copied, asc)
    copied = from = asc + 4
  }
  return copied === 0 ? fp : out + fp.slice(copied)
}

/** The general path (any characters): text copied in sliced runs, lowercased once at the end. */
function fingerprintGeneral(sql: string, dialect: SqlDialect): string {
  const n = sql.length
  const mysql = dialect === "mysql"
  let out = ""
  let runStart = 0
  let i = 0
  while (i < n) {
    const c = sql.charCodeAt(i)
    if (c >= 128) { i++; continue }
    const k = CLASS[c]!
    if (k === PLAIN) { i++; continue }
    // A single space between two tokens is copied; a run of blanks, or a blank at either end, is folded.
    if (k === SPACE && i > 0 && i + 1 < n && !isSpace(sql.charCodeAt(i + 1))) { i++; continue }
    let skipTo = -1
    let literal = false
    let tokenStart = i
    switch (k) {
      case SPACE:
      case OTHER_SPACE: {
        let j = i + 1
        while (j < n && isSpace(sql.charCodeAt(j))) j++
        if (i > runStart) out = withRun(out, sql, runStart, i)
        if (out.length > 0 && out.charCodeAt(out.length - 1) !== 32) out += " "
        runStart = j
        i = j
        continue
      }
      case SINGLE_QUOTE: {
        const before = i > 0 ? sql.charCodeAt(i - 1) : 32
        let escapes = mysql
        if (isStringPrefix(before) && (i < 2 || !isWordChar(sql.charCodeAt(i - 2))) && i - 1 >= runStart) {
          tokenStart = i - 1
          if (before === 69 || before === 101) escapes = true
        }
        skipTo = stringEnd(sql, i + 1, 39, escapes)
        literal = true
        break
      }
      case DOUBLE_QUOTE:
        if (mysql) { skipTo = stringEnd(sql, i + 1, 34, true); literal = true; break }
        {
          // PostgreSQL "quoted identifier": kept, and its content is not read as literals.
          const close = sql.indexOf("\"", i + 1)
          i = close < 0 ? n : close + 1
          continue
        }
      case DOT:
      case DIGIT: {
        const prev = i > 0 ? sql.charCodeAt(i - 1) : 32
        if (isWordChar(prev) || prev === 46 || (k === DOT && !isDigit(sql.charCodeAt(i + 1)))) { i++; continue }
        let j = i + 1
        if (c === 48 && (sql.charCodeAt(j) === 120 || sql.charCodeAt(j) === 88 || sql.charCodeAt(j) === 98)) j++
        while (j < n) {
          const d = sql.charCodeAt(j)
          if (isDigit(d) || d === 46 || (d >= 97 && d <= 102) || (d >= 65 && d <= 70)) { j++; continue }
          if ((d === 43 || d === 45) && (sql.charCodeAt(j - 1) === 101 || sql.charCodeAt(j - 1) === 69)) { j++; continue }
          break
        }
        if (j < n && isWordChar(sql.charCodeAt(j))) {
          // An identifier that starts with digits (MySQL allows 1abc): copied.
          while (j < n && isWordChar(sql.charCodeAt(j))) j++
          i = j
          continue
        }
        skipTo = j
        literal = true
        break
      }
      case DASH:
        if (sql.charCodeAt(i + 1) !== 45) { i++; continue }
        skipTo = lineEndFrom(sql, i)
        break
      case HASH:
        if (!mysql) { i++; continue }
        skipTo = lineEndFrom(sql, i)
        break
      case SLASH: {
        if (sql.charCodeAt(i + 1) !== 42) { i++; continue }
        const close = sql.indexOf("*/", i + 2)
        skipTo = close < 0 ? n : close + 2
        break
      }
      case DOLLAR: {
        if (mysql || (i > 0 && isWordChar(sql.charCodeAt(i - 1)))) { i++; continue }
        if (isDigit(sql.charCodeAt(i + 1))) {
          // $n parameter: kept as written.
          let j = i + 1
          while (j < n && isDigit(sql.charCodeAt(j))) j++
          i = j
          continue
        }
        const tagEnd = dollarTagEnd(sql, i)
        if (tagEnd < 0) { i++; continue }
        const close = sql.indexOf(sql.slice(i, tagEnd + 1), tagEnd + 1)
        skipTo = close < 0 ? n : close + (tagEnd + 1 - i)
        literal = true
        break
      }
    }
    if (tokenStart > runStart) out = withRun(out, sql, runStart, tokenStart)
    if (literal) out += "?"
    runStart = skipTo
    i = skipTo
  }
  if (runStart < n) out = runStart === 0 ? sql : withRun(out, sql, runStart, n)
  return out.toLowerCase()
}

/**
 * `out` followed by the run [from, to) of `sql`. A run may start with the single blank that followed a skipped
 * comment; where `out` is empty or already ends in a blank, that blank is folded, as the byte path folds it.
 */
function withRun(out: string, sql: string, from: number, to: number): string {
  if (sql.charCodeAt(from) === 32 && (out.length === 0 || out.charCodeAt(out.length - 1) === 32)) from++
  return from < to ? out + sql.slice(from, to) : out
}

function lineEndFrom(sql: string, i: number): number {
  const eol = sql.indexOf("\n", i)
  return eol < 0 ? sql.length : eol
}

/** Index after the closing quote of a string whose body starts at `from`. */
function stringEnd(sql: string, from: number, quote: number, backslashEscapes: boolean): number {
  const n = sql.length
  let j = from
  while (j < n) {
    const d = sql.charCodeAt(j)
    if (d === 92 && backslashEscapes) { j += 2; continue }
    if (d === quote) {
      if (sql.charCodeAt(j + 1) === quote) { j += 2; continue }
      return j + 1
    }
    j++
  }
  return n
}

/** When a $tag$ (or $$) starts at `i`, the index of its closing "$"; else -1. */
function dollarTagEnd(sql: string, i: number): number {
  const limit = Math.min(sql.length, i + 64)
  for (let j = i + 1; j < limit; j++) {
    const c = sql.charCodeAt(j)
    if (c === 36) return j
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (isDigit(c) && j > i + 1))) return -1
  }
  return -1
}
