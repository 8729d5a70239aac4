/**
 * Secret redaction: passwords in CREATE/ALTER ROLE|USER ... PASSWORD '...', IDENTIFIED BY '...',
 * SET PASSWORD, `password=...` in connection strings, and the literals of caller-supplied patterns
 * become [REDACTED] before a record leaves the parser. Errs on the side of hiding too much: a literal
 * that never closes (a truncated statement) is redacted to the end of the text.
 */

export const REDACTED = "[REDACTED]"

export interface Redactor {
  (text: string): string
  /**
   * Whether redacting the fields cut from `wholeText` can change anything: false lets a parser skip
   * the per-field scan (the usual case, a record that mentions no password).
   */
  readonly mayApply: (wholeText: string) => boolean
}

const never = () => false
const always = () => true
const identity: Redactor = Object.assign((text: string) => text, { mayApply: never })

/** Cheap gate: only texts that mention one of these words go through the keyword scanner. */
const MAY_HOLD_PASSWORD = /password|identified|secret/i

/** Keywords after which the next literal is a secret. */
const SECRET_KEYWORD = /password\b|identified\s+(?:(?:with|via)\s+(?:\\?['"`][^'"`\\]*\\?['"`]|\S+)\s+)?(?:by|as|using)(?:\s+password\b)?|(?:^|[^a-z_])secret\s*=/gi

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13

/**
 * Where the literal that starts at `start` (a quote, an escaped quote or a $tag$) ends, exclusive of
 * its closing quote; returns [contentStart, contentEnd, afterClose], or undefined when `start` is no literal.
 */
function literalAt(s: string, start: number): [number, number, number] | undefined {
  const c = s.charCodeAt(start)
  if (c === 92 /* \ */) {
    // A quote escaped by the audit log's CSV quoting: \'secret\'
    const q = s.charCodeAt(start + 1)
    if (q !== 39 && q !== 34) return undefined
    let i = start + 2
    while (i < s.length) {
      const d = s.charCodeAt(i)
      if (d === 92) {
        if (s.charCodeAt(i + 1) === q) {
          if (s.charCodeAt(i + 2) === 92 && s.charCodeAt(i + 3) === q) { i += 4; continue }
          return [start + 2, i, i + 2]
        }
        i += 2
        continue
      }
      i++
    }
    return [start + 2, s.length, s.length]
  }
  if (c === 39) {
    const nested = nestedLiteralAt(s, start)
    if (nested !== undefined) return nested
  }
  if (c === 39 || c === 34 || c === 96) {
    let i = start + 1
    while (i < s.length) {
      const d = s.charCodeAt(i)
      if (d === 92) { i += 2; continue }
      if (d === c) {
        if (s.charCodeAt(i + 1) === c) { i += 2; continue }
        return [start + 1, i, i + 1]
      }
      i++
    }
    return [start + 1, s.length, s.length]
  }
  if (c === 36 /* $ */) {
    const tagEnd = s.indexOf("$", start + 1)
    if (tagEnd < 0 || tagEnd - start > 64 || !/^\$[A-Za-z_0-9]*\$$/.test(s.slice(start, tagEnd + 1))) return undefined
    const tag = s.slice(start, tagEnd + 1)
    const close = s.indexOf(tag, tagEnd + 1)
    return close < 0 ? [tagEnd + 1, s.length, s.length] : [tagEnd + 1, close, close + tag.length]
  }
  return undefined
}

/**
 * A literal inside another literal, its quotes doubled (`''secret''`, or `''''secret''''` one level
 * deeper): dynamic SQL such as `EXECUTE 'ALTER ROLE app PASSWORD ''secret'''` in a DO block, which the
 * server logs as written. An even run of quotes followed by text (not by a space or a delimiter, as
 * after an empty password `''`) opens it; the content runs to the next run of at least as many quotes
 * (a run of 2n quotes is a quote inside the content). Undefined when `start` opens no such literal.
 */
function nestedLiteralAt(s: string, start: number): [number, number, number] | undefined {
  let n = 0
  while (s.charCodeAt(start + n) === 39) n++
  const after = s.charCodeAt(start + n)
  if (n < 2 || n % 2 !== 0 || start + n >= s.length || isSpace(after) || after === 59 || after === 44 || after === 41) return undefined
  let i = start + n
  while (i < s.length) {
    if (s.charCodeAt(i) !== 39) { i++; continue }
    let r = 0
    while (s.charCodeAt(i + r) === 39) r++
    // Quotes of the content come in runs of 2n; what is left over closes this literal (and the ones around it).
    if (r >= n && r !== 2 * n) {
      const contentEnd = i + 2 * n * Math.floor((r - n) / (2 * n))
      return [start + n, contentEnd, contentEnd + n]
    }
    i += r
  }
  return [start + n, s.length, s.length]
}

/** Finds the secret literal that follows a keyword ending at `at`; returns [contentStart, contentEnd, resumeAt] or undefined. */
function secretAfter(s: string, at: number): [number, number, number] | undefined {
  let i = at
  while (i < s.length && isSpace(s.charCodeAt(i))) i++
  // SET PASSWORD FOR 'user'@'host' = '...': the literal that matters comes after the "=".
  if (/^for\b/i.test(s.slice(i, i + 4))) {
    const eq = s.indexOf("=", i)
    if (eq < 0 || eq - i > 400) return undefined
    i = eq + 1
  } else if (s.charCodeAt(i) === 61 /* = */) {
    i++
    // password=secret inside a connection string: an unquoted value.
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 39 && c !== 34 && c !== 92 && c !== 36 && i < s.length) {
      let j = i
      while (j < s.length) {
        const d = s.charCodeAt(j)
        if (isSpace(d) || d === 39 || d === 34 || d === 59 || d === 41 || d === 44 || d === 92) break
        j++
      }
      return j > i ? [i, j, j] : undefined
    }
  }
  while (i < s.length && isSpace(s.charCodeAt(i))) i++
  if (s.charCodeAt(i) === 61) { i++; while (i < s.length && isSpace(s.charCodeAt(i))) i++ }
  // MySQL 5.x: SET PASSWORD = PASSWORD('...'); OLD_PASSWORD('...').
  const fn = /^(?:old_)?password\s*\(\s*/i.exec(s.slice(i, i + 32))
  if (fn !== null) i += fn[0].length
  // The keyword was the function's own name: PASSWORD('...') (MariaDB's IDENTIFIED VIA ... USING PASSWORD('...')).
  else if (s.charCodeAt(i) === 40 /* ( */ && /password$/i.test(s.slice(Math.max(0, at - 8), at))) {
    i++
    while (i < s.length && isSpace(s.charCodeAt(i))) i++
  }
  // PostgreSQL escape-string literal E'...'.
  if ((s.charCodeAt(i) === 69 || s.charCodeAt(i) === 101) && s.charCodeAt(i + 1) === 39) i++
  const literal = literalAt(s, i)
  if (literal === undefined) return undefined
  return literal
}

function redactKeywordSecrets(s: string): string {
  if (!MAY_HOLD_PASSWORD.test(s)) return s
  SECRET_KEYWORD.lastIndex = 0
  let out = ""
  let copied = 0
  let m: RegExpExecArray | null
  while ((m = SECRET_KEYWORD.exec(s)) !== null) {
    const secret = secretAfter(s, m.index + m[0].length)
    if (secret === undefined) continue
    const [contentStart, contentEnd, resume] = secret
    if (contentEnd <= contentStart) { SECRET_KEYWORD.lastIndex = Math.max(resume, SECRET_KEYWORD.lastIndex); continue }
    out += s.slice(copied, contentStart) + REDACTED
    copied = contentEnd
    SECRET_KEYWORD.lastIndex = Math.max(resume, m.index + m[0].length)
    if (resume >= s.length) break
  }
  return copied === 0 ? s : out + s.slice(copied)
}

/**
 * The same decision as `mayApply`, made for a whole block of records at once: false = no record needs a
 * scan (redaction off), true = every record does (caller patterns may match anything), or a fresh global
 * regex whose matches in the block mark the records that do. The gate's words hold no line break, so a
 * match lies within one record.
 */
export function redactionGate(options?: { readonly redact?: boolean; readonly redactPatterns?: ReadonlyArray<RegExp> }): boolean | RegExp {
  if (options?.redact === false) return false
  if ((options?.redactPatterns ?? []).length > 0) return true
  return new RegExp(MAY_HOLD_PASSWORD.source, "gi")
}

const asGlobal = (pattern: RegExp): RegExp =>
  pattern.global ? pattern : new RegExp(pattern.source, pattern.flags + "g")

/** The redactor for a set of options: identity when redaction is off. */
export function makeRedactor(options?: { readonly redact?: boolean; readonly redactPatterns?: ReadonlyArray<RegExp> }): Redactor {
  if (options?.redact === false) return identity
  const extra = (options?.redactPatterns ?? []).map(asGlobal)
  if (extra.length === 0) return Object.assign((text: string) => redactKeywordSecrets(text), { mayApply: (whole: string) => MAY_HOLD_PASSWORD.test(whole) })
  // Caller patterns may match anything (anchors, lookarounds), so every field is scanned.
  return Object.assign((text: string) => {
    let out = redactKeywordSecrets(text)
    for (const pattern of extra) {
      pattern.lastIndex = 0
      if (pattern.test(out)) {
        pattern.lastIndex = 0
        out = out.replace(pattern, REDACTED)
      }
    }
    return out
  }, { mayApply: always })
}
