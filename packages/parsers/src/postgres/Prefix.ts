/**
 * PostgreSQL log_line_prefix, compiled: the prefix's % escapes become a small matcher that finds where
 * the prefix of a line ends (and, when asked, where each escape's value lies), followed by the
 * `SEVERITY:  ` tag. The same matcher runs on raw bytes (recordStarts, no decoding) and on decoded
 * strings (parsing): it compares only ASCII, and everything else is skipped as opaque value text,
 * so both give the same answer for the same line.
 */

export const RDS_LOG_LINE_PREFIX = "%t:%r:%u@%d:[%p]:"
export const RDS_LOG_LINE_PREFIX_LONG = "%m:%r:%u@%d:[%p]:%l:%e:%s:%v:%x:%c:%q%a"

type Source = string | Uint8Array

const LITERAL = 0
const ESCAPE = 1

interface LiteralToken { readonly kind: typeof LITERAL; readonly codes: ReadonlyArray<number> }
interface EscapeToken {
  readonly kind: typeof ESCAPE
  /** The escape letter (t, m, r, u, ...). */
  readonly letter: string
  /** First char code of the literal right after this escape; -1 when another escape or the end follows. */
  readonly next: number
  readonly padded: boolean
  /**
   * The field width of a padded escape (`%-20a`: 20, `%10p`: 10; 0 when none): PostgreSQL pads a
   * shorter value with spaces to it (after the value when left-aligned, before it otherwise) and
   * writes a longer one whole. An absent value (a background process's %a) is `width` spaces.
   */
  readonly width: number
  /** A value with no shape of its own (%a, %u, %d, %h, %i, %b): it runs to the literal after it. */
  readonly freeText: boolean
}
type Token = LiteralToken | EscapeToken


const codeAt = (s: Source, i: number): number => (typeof s === "string" ? s.charCodeAt(i) : s[i]!)

const isDigit = (c: number) => c >= 48 && c <= 57
const isUpper = (c: number) => c >= 65 && c <= 90

/** Where each escape's value lies after a successful match: [start, end) per token index, -1 when absent. */
export type Captures = Int32Array

export class CompiledPrefix {
  readonly tokens: ReadonlyArray<Token>
  /** Whether a line must begin with a digit (the prefix starts with a time escape): a cheap first filter. */
  readonly startsWithDigit: boolean
  readonly source: string
  /** The prefix is RDS's default: lines as bytes take matchRdsBytes first. */
  private readonly rds: boolean
  /**
   * For either RDS prefix, the other one, and for any other prefix, RDS's default: tried on a line this
   * one does not match. A parameter group change (or `ALTER SYSTEM RESET log_line_prefix`) reloads the
   * server with another prefix in the middle of a file, and the lines after it must not end up as
   * continuation lines of the record before them.
   */
  readonly alternate: CompiledPrefix | undefined
  /** The captures' last slot: 0 when this prefix matched, 1 when the alternate did. */
  readonly variantSlot: number
  /** Char code of each token's escape letter; 0 for literals. */
  readonly letters: ReadonlyArray<number>

  constructor(prefix: string, withAlternate = true) {
    this.source = prefix
    this.rds = prefix === RDS_LOG_LINE_PREFIX
    const tokens: Token[] = []
    let literal: number[] = []
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i)
      if (c !== 37 /* % */ || i + 1 >= prefix.length) { literal.push(c); continue }
      let j = i + 1
      let padded = false
      let width = 0
      if (prefix[j] === "-") { j++; padded = true }
      while (j < prefix.length && isDigit(prefix.charCodeAt(j))) { width = width * 10 + prefix.charCodeAt(j) - 48; j++; padded = true }
      const letter = prefix[j] ?? ""
      i = j
      if (letter === "%") { literal.push(37); continue }
      if (literal.length > 0) { tokens.push({ kind: LITERAL, codes: literal }); literal = [] }
      tokens.push({ kind: ESCAPE, letter, next: -1, padded, width, freeText: !"tsmnplxPQecvrq".includes(letter) })
    }
    if (literal.length > 0) tokens.push({ kind: LITERAL, codes: literal })
    // Each escape learns the first character of the literal after it: free-text values end there.
    this.tokens = tokens.map((token, index) => {
      if (token.kind !== ESCAPE) return token
      const after = tokens[index + 1]
      return { ...token, next: after !== undefined && after.kind === LITERAL ? after.codes[0]! : -1 }
    })
    const first = this.tokens[0]
    this.startsWithDigit = first !== undefined && first.kind === ESCAPE && "tmns".includes(first.letter) && !first.padded
    const other = prefix === RDS_LOG_LINE_PREFIX ? RDS_LOG_LINE_PREFIX_LONG : RDS_LOG_LINE_PREFIX
    this.alternate = withAlternate ? new CompiledPrefix(other, false) : undefined
    this.variantSlot = Math.max(this.tokens.length, this.alternate?.tokens.length ?? 0) * 2
    this.letters = this.tokens.map((token) => (token.kind === ESCAPE && token.letter.length > 0 ? token.letter.charCodeAt(0) : 0))
  }

  /** The escape letters of the prefix whose match filled `captures` (this one's or its alternate's), token by token. */
  lettersOf(captures: Captures): ReadonlyArray<number> {
    return captures[this.variantSlot] === 1 && this.alternate !== undefined ? this.alternate.letters : this.letters
  }

  /** Size of a captures array: every escape's bounds, for this prefix or its alternate, and the variant slot. */
  get captureSize(): number { return this.variantSlot + 1 }

  /**
   * Matches the prefix at `pos` within [pos, end) (end = the line's end); returns where the prefix
   * ends, or -1. When `captures` is given, it receives each escape's value bounds.
   */
  match(s: Source, pos: number, end: number, captures?: Captures): number {
    // Only this prefix's slots: the rest of the array belongs to the alternate (or the variant slot).
    if (captures !== undefined) captures.fill(-1, 0, this.tokens.length * 2)
    return this.matchFrom(s, 0, pos, end, captures)
  }

  private matchFrom(s: Source, first: number, pos: number, end: number, captures: Captures | undefined): number {
    let i = pos
    const tokens = this.tokens
    for (let t = first; t < tokens.length; t++) {
      const token = tokens[t]!
      if (token.kind === LITERAL) {
        const codes = token.codes
        if (i + codes.length > end) return -1
        for (let k = 0; k < codes.length; k++) if (codeAt(s, i + k) !== codes[k]) return -1
        i += codes.length
        continue
      }
      if (token.letter === "q") {
        // %q: background processes stop the prefix here; sessions print the rest.
        const rest = this.matchFrom(s, t + 1, i, end, captures)
        if (rest >= 0 && severityAt(s, rest, end) >= 0) return rest
        // A background process: what the attempt read was message text (`changed to "%q%u@%d "`).
        if (captures !== undefined) captures.fill(-1, (t + 1) * 2, tokens.length * 2)
        return i
      }
      if (token.width > 0 && token.freeText) return this.matchPaddedText(s, t, i, end, captures)
      const valueEnd = this.scanEscape(token, s, i, end, t === tokens.length - 1)
      if (valueEnd < 0) return -1
      if (captures !== undefined) { captures[t * 2] = i; captures[t * 2 + 1] = valueEnd }
      i = valueEnd
    }
    return i
  }

  /**
   * A free-text escape padded to a width (`%-20a`, `%10u`) and the rest of the prefix after it. The
   * value may hold spaces ("app p7") or be only spaces (a background process's %a), so it is not read
   * up to the next literal: the field ends at its width when the rest of the prefix and a severity tag
   * follow there. A value longer than the width is written whole and may hold the literal after it, so
   * each later place where that literal occurs is tried in turn.
   */
  private matchPaddedText(s: Source, t: number, i: number, end: number, captures: Captures | undefined): number {
    const token = this.tokens[t] as EscapeToken
    const fieldEnd = i + token.width
    if (fieldEnd > end) return -1
    for (let j = i; j < fieldEnd; j++) if (codeAt(s, j) === 10) return -1
    const limit = Math.min(end, i + 1024)
    for (let j = fieldEnd; j < limit; j++) {
      const c = codeAt(s, j)
      if (c === 10) return -1
      if (j > fieldEnd && (token.next >= 0 ? c !== token.next : !isUpper(c))) continue
      if (captures !== undefined) { captures[t * 2] = i; captures[t * 2 + 1] = j }
      const rest = this.matchFrom(s, t + 1, j, end, captures)
      if (rest >= 0 && severityAt(s, rest, end) >= 0) return rest
    }
    return -1
  }

  private scanEscape(token: EscapeToken, s: Source, i: number, end: number, last: boolean): number {
    const fieldEnd = i + token.width
    if (token.padded) while (i < end && codeAt(s, i) === 32) i++
    let j: number
    switch (token.letter) {
      case "t":
      case "s":
        j = scanTimestamp(s, i, end, false)
        break
      case "m":
        j = scanTimestamp(s, i, end, true)
        break
      case "n": {
        j = scanDigits(s, i, end)
        if (j > i && codeAt(s, j) === 46) j = scanDigits(s, j + 1, end)
        if (j === i) return -1
        break
      }
      case "p":
        j = scanDigits(s, i, end)
        if (j === i) return -1
        break
      case "l":
      case "x":
      case "P":
        j = scanDigits(s, i, end)
        break
      case "Q":
        j = i < end && codeAt(s, i) === 45 ? i + 1 : i
        j = scanDigits(s, j, end)
        break
      case "e": {
        j = i
        while (j < end && j < i + 5) {
          const c = codeAt(s, j)
          if (!(isDigit(c) || isUpper(c))) break
          j++
        }
        if (j !== i + 5) return -1
        break
      }
      case "c": {
        j = i
        while (j < end && isHexOrDot(codeAt(s, j))) j++
        break
      }
      case "v": {
        j = i
        while (j < end) {
          const c = codeAt(s, j)
          if (!(isDigit(c) || c === 47 || c === 45)) break
          j++
        }
        break
      }
      case "r":
        j = scanRemote(s, i, end, token.next)
        break
      default:
        j = scanFreeText(s, i, end, token.next, last)
    }
    if (j < 0) return -1
    if (token.width > 0) {
      // A left-aligned value's padding follows it (and may be followed by a literal space).
      while (j < fieldEnd && j < end && codeAt(s, j) === 32) j++
    } else if (token.padded && token.next !== 32) while (j < end && codeAt(s, j) === 32) j++
    return j
  }

  /** After a successful matchLine: where the prefix ends, where the severity word ends, and its code. */
  prefixEnd = 0
  severityEnd = 0
  severity = -1

  /**
   * Prefix match then `SEVERITY:  `; on success the bounds are left in prefixEnd / severityEnd /
   * severity (no allocation per line; the message starts at severityEnd + 3).
   */
  matchLine(s: Source, pos: number, end: number, captures?: Captures): boolean {
    if (this.matchOwnLine(s, pos, end, captures)) {
      if (captures !== undefined) captures[this.variantSlot] = 0
      return true
    }
    const alternate = this.alternate
    if (alternate === undefined || !alternate.matchOwnLine(s, pos, end, captures)) return false
    this.prefixEnd = alternate.prefixEnd
    this.severityEnd = alternate.severityEnd
    this.severity = alternate.severity
    if (captures !== undefined) captures[this.variantSlot] = 1
    return true
  }

  /** matchLine with this prefix alone. */
  private matchOwnLine(s: Source, pos: number, end: number, captures?: Captures): boolean {
    if (this.startsWithDigit && !isDigit(codeAt(s, pos))) return false
    let prefixEnd = GIVE_UP
    if (this.rds && typeof s !== "string") {
      prefixEnd = matchRdsBytes(s, pos, end, captures)
      // The tag of most lines, "LOG:  ", read as severityAt would.
      if (prefixEnd >= 0 && prefixEnd + 6 <= end && s[prefixEnd] === 76 && s[prefixEnd + 1] === 79 && s[prefixEnd + 2] === 71 &&
        s[prefixEnd + 3] === 58 && s[prefixEnd + 4] === 32 && s[prefixEnd + 5] === 32) {
        this.prefixEnd = prefixEnd
        this.severityEnd = prefixEnd + 3
        this.severity = 0
        return true
      }
    }
    if (prefixEnd === GIVE_UP) prefixEnd = this.match(s, pos, end, captures)
    if (prefixEnd < 0) return false
    const severityEnd = severityAt(s, prefixEnd, end)
    if (severityEnd < 0) return false
    this.prefixEnd = prefixEnd
    this.severityEnd = severityEnd
    this.severity = severityCode(s, prefixEnd, severityEnd)
    return true
  }
}

/** matchRdsBytes could not decide: the generic matcher does. */
const GIVE_UP = -2

const isZoneChar = (c: number) => isUpper(c) || (c >= 97 && c <= 122) || isDigit(c) || c === 43 || c === 45

/**
 * The generic matcher's steps for RDS's default prefix `%t:%r:%u@%d:[%p]:` written out for bytes
 * (most lines of most files, matched once while framing): the same bounds and captures, without
 * interpreting tokens or testing the input's type per character. Returns where the prefix ends, -1
 * when the generic matcher would fail too, or GIVE_UP for the rare shapes it leaves to the generic
 * matcher (a %r value that is neither empty, "[local]" nor "host(port)").
 */
function matchRdsBytes(b: Uint8Array, pos: number, end: number, captures: Captures | undefined): number {
  // %t: "YYYY-MM-DD HH:MM:SS ZONE", then ":".
  if (pos + 21 > end || !dateTimeInBytes(b, pos) || b[pos + 19] !== 32) return -1
  let i = pos + 20
  while (i < end && isZoneChar(b[i]!)) i++
  const timeEnd = i
  if (timeEnd === pos + 20 || i >= end || b[i] !== 58) return -1
  // %r, then ":".
  const remoteStart = ++i
  if (i >= end) return -1
  const first = b[i]!
  if (first === 91 /* [ */) {
    // As scanRemote: the seven bytes are compared even past the line's end.
    if (b[i + 1] !== 108 || b[i + 2] !== 111 || b[i + 3] !== 99 || b[i + 4] !== 97 || b[i + 5] !== 108 || b[i + 6] !== 93) return -1
    i += 7
  } else if (first !== 58) {
    const limit = Math.min(end, i + 300)
    let j = i
    while (j < limit) {
      const c = b[j]!
      if (c === 40 /* ( */ || c === 32 || c === 10) break
      j++
    }
    if (j === limit || b[j] !== 40) return GIVE_UP
    const digits = j + 1
    j = digits
    while (j < end && isDigit(b[j]!)) j++
    if (j === digits || b[j] !== 41 /* ) */) return -1
    i = j + 1
  }
  const remoteEnd = i
  if (i + 1 > end || b[i] !== 58) return -1
  // %u up to "@", %d up to ":" (free text of at most 1024 bytes), then ":[".
  const userStart = ++i
  const userEnd = indexInLine(b, 64, i, end)
  if (userEnd < 0) return -1
  const databaseStart = userEnd + 1
  const databaseEnd = indexInLine(b, 58, databaseStart, end)
  if (databaseEnd < 0 || databaseEnd + 2 > end || b[databaseEnd + 1] !== 91) return -1
  // %p: at least one digit, then "]:".
  const pidStart = databaseEnd + 2
  i = pidStart
  while (i < end && isDigit(b[i]!)) i++
  const pidEnd = i
  if (pidEnd === pidStart || i + 2 > end || b[i] !== 93 || b[i + 1] !== 58) return -1
  if (captures !== undefined) {
    // Escapes at even token indexes, literals (no value: -1) at odd ones.
    captures[0] = pos; captures[1] = timeEnd; captures[2] = -1; captures[3] = -1
    captures[4] = remoteStart; captures[5] = remoteEnd; captures[6] = -1; captures[7] = -1
    captures[8] = userStart; captures[9] = userEnd; captures[10] = -1; captures[11] = -1
    captures[12] = databaseStart; captures[13] = databaseEnd; captures[14] = -1; captures[15] = -1
    captures[16] = pidStart; captures[17] = pidEnd; captures[18] = -1; captures[19] = -1
  }
  return i + 2
}

/** scanFreeText's search for the literal after a value, on bytes: the index of `code` within 1024 bytes, or -1. */
function indexInLine(b: Uint8Array, code: number, from: number, end: number): number {
  const limit = Math.min(end, from + 1024)
  for (let j = from; j < limit; j++) {
    const c = b[j]!
    if (c === code) return j
    if (c === 10) return -1
  }
  return -1
}

const isHexOrDot = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 46

function scanDigits(s: Source, i: number, end: number): number {
  while (i < end && isDigit(codeAt(s, i))) i++
  return i
}

/** "YYYY-MM-DD HH:MM:SS[.mmm] ZONE" */
function scanTimestamp(s: Source, i: number, end: number, millis: boolean): number {
  const need = millis ? 23 : 19
  if (i + need + 2 > end) return -1
  const ok = typeof s === "string" ? dateTimeInString(s, i) : dateTimeInBytes(s, i)
  if (!ok) return -1
  let j = i + 19
  if (millis) {
    if (codeAt(s, j) !== 46 || !isDigit(codeAt(s, j + 1)) || !isDigit(codeAt(s, j + 2)) || !isDigit(codeAt(s, j + 3))) return -1
    j += 4
  }
  if (codeAt(s, j) !== 32) return -1
  j++
  const zoneStart = j
  while (j < end) {
    const c = codeAt(s, j)
    if (!(isUpper(c) || (c >= 97 && c <= 122) || isDigit(c) || c === 43 || c === 45)) break
    j++
  }
  return j > zoneStart ? j : -1
}

/** "YYYY-MM-DD HH:MM:SS" at i, in bytes. */
function dateTimeInBytes(b: Uint8Array, i: number): boolean {
  return isDigit(b[i]!) && isDigit(b[i + 1]!) && isDigit(b[i + 2]!) && isDigit(b[i + 3]!) && b[i + 4] === 45 &&
    isDigit(b[i + 5]!) && isDigit(b[i + 6]!) && b[i + 7] === 45 && isDigit(b[i + 8]!) && isDigit(b[i + 9]!) && b[i + 10] === 32 &&
    isDigit(b[i + 11]!) && isDigit(b[i + 12]!) && b[i + 13] === 58 && isDigit(b[i + 14]!) && isDigit(b[i + 15]!) && b[i + 16] === 58 &&
    isDigit(b[i + 17]!) && isDigit(b[i + 18]!)
}

/** "YYYY-MM-DD HH:MM:SS" at i, in a string. */
function dateTimeInString(s: string, i: number): boolean {
  return isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1)) && isDigit(s.charCodeAt(i + 2)) && isDigit(s.charCodeAt(i + 3)) && s.charCodeAt(i + 4) === 45 &&
    isDigit(s.charCodeAt(i + 5)) && isDigit(s.charCodeAt(i + 6)) && s.charCodeAt(i + 7) === 45 && isDigit(s.charCodeAt(i + 8)) && isDigit(s.charCodeAt(i + 9)) && s.charCodeAt(i + 10) === 32 &&
    isDigit(s.charCodeAt(i + 11)) && isDigit(s.charCodeAt(i + 12)) && s.charCodeAt(i + 13) === 58 && isDigit(s.charCodeAt(i + 14)) && isDigit(s.charCodeAt(i + 15)) && s.charCodeAt(i + 16) === 58 &&
    isDigit(s.charCodeAt(i + 17)) && isDigit(s.charCodeAt(i + 18))
}

/** %r: "host(port)", "[local]", or empty for background processes. */
function scanRemote(s: Source, i: number, end: number, next: number): number {
  if (i >= end) return next < 0 ? i : -1
  if (codeAt(s, i) === next) return i
  if (codeAt(s, i) === 91 /* [ */) {
    const local = "[local]"
    for (let k = 0; k < local.length; k++) if (codeAt(s, i + k) !== local.charCodeAt(k)) return -1
    return i + local.length
  }
  // An IPv6 host holds ':' so the value ends at "(port)", not at the next literal.
  const limit = Math.min(end, i + 300)
  for (let j = i; j < limit; j++) {
    const c = codeAt(s, j)
    if (c === 40 /* ( */) {
      const digitsEnd = scanDigits(s, j + 1, end)
      if (digitsEnd > j + 1 && codeAt(s, digitsEnd) === 41) return digitsEnd + 1
      return -1
    }
    if (c === 32 || c === 10) break
  }
  return scanFreeText(s, i, end, next, false)
}

/** A value with no shape of its own: it runs to the next literal (or, last in the prefix, to the severity tag). */
function scanFreeText(s: Source, i: number, end: number, next: number, last: boolean): number {
  if (next >= 0) {
    const limit = Math.min(end, i + 1024)
    for (let j = i; j < limit; j++) {
      const c = codeAt(s, j)
      if (c === next) return j
      if (c === 10) return -1
    }
    return -1
  }
  if (!last) return i
  const limit = Math.min(end, i + 1024)
  for (let j = i; j < limit; j++) {
    const c = codeAt(s, j)
    if (c === 10) return -1
    if (isUpper(c) && severityAt(s, j, end) >= 0) return j
  }
  return -1
}

/** When a known `SEVERITY:  ` tag starts at `i`, the index of its colon; else -1. Compares codes, builds no string. */
export function severityAt(s: Source, i: number, end: number): number {
  let j = i
  while (j < end && j - i < 10) {
    const c = codeAt(s, j)
    if (!(isUpper(c) || (isDigit(c) && j > i))) break
    j++
  }
  if (j === i || j + 3 > end) return -1
  if (codeAt(s, j) !== 58 || codeAt(s, j + 1) !== 32 || codeAt(s, j + 2) !== 32) return -1
  return severityCode(s, i, j) >= 0 ? j : -1
}

/**
 * Severity words PostgreSQL writes (English messages, as on RDS), by code; the secondary tags
 * (which belong to the message before them) come last, from FIRST_SECONDARY_CODE on.
 */
export const SEVERITY_NAMES = ["LOG", "ERROR", "FATAL", "PANIC", "WARNING", "NOTICE", "INFO", "DEBUG", "DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5",
  "DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"] as const
export const FIRST_SECONDARY_CODE = 13

/** The code of the severity word in [start, end), or -1. */
export function severityCode(s: Source, start: number, end: number): number {
  const length = end - start
  switch (codeAt(s, start)) {
    case 76: return length === 3 && equalsAt(s, start, "LOG") ? 0 : length === 8 && equalsAt(s, start, "LOCATION") ? 18 : -1
    case 69: return length === 5 && equalsAt(s, start, "ERROR") ? 1 : -1
    case 70: return length === 5 && equalsAt(s, start, "FATAL") ? 2 : -1
    case 80: return length === 5 && equalsAt(s, start, "PANIC") ? 3 : -1
    case 87: return length === 7 && equalsAt(s, start, "WARNING") ? 4 : -1
    case 78: return length === 6 && equalsAt(s, start, "NOTICE") ? 5 : -1
    case 73: return length === 4 && equalsAt(s, start, "INFO") ? 6 : -1
    case 68: {
      if (length === 5) return equalsAt(s, start, "DEBUG") ? 7 : -1
      if (length !== 6) return -1
      if (equalsAt(s, start, "DETAIL")) return 13
      const digit = codeAt(s, start + 5) - 48
      return digit >= 1 && digit <= 5 && equalsAt(s, start, "DEBUG") ? 7 + digit : -1
    }
    case 72: return length === 4 && equalsAt(s, start, "HINT") ? 14 : -1
    case 67: return length === 7 && equalsAt(s, start, "CONTEXT") ? 15 : -1
    case 83: return length === 9 && equalsAt(s, start, "STATEMENT") ? 16 : -1
    case 81: return length === 5 && equalsAt(s, start, "QUERY") ? 17 : -1
    default: return -1
  }
}

function equalsAt(s: Source, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (codeAt(s, at + k) !== word.charCodeAt(k)) return false
  return true
}

const compiled = new Map<string, CompiledPrefix>()

/** The compiled matcher of a prefix (cached: options objects come and go, prefixes do not). */
export function compilePrefix(prefix: string = RDS_LOG_LINE_PREFIX): CompiledPrefix {
  let found = compiled.get(prefix)
  if (found === undefined) {
    found = new CompiledPrefix(prefix)
    compiled.set(prefix, found)
  }
  return found
}
