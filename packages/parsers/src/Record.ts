/**
 * Steps every parser applies to a record before it leaves: the truncation tail RDS appends, secret
 * redaction over the free-text fields, the statement fingerprint, and the fallback record for text
 * that could not be parsed (parse_error + raw, never dropped).
 */
import { fingerprint, type SqlDialect } from "./Fingerprint.ts"
import type { Redactor } from "./Redaction.ts"
import type { ParsedRecord } from "./Types.ts"

export const TRUNCATION_MARKER = " [Your log message was truncated]"

/** The record text without its final line break (one "\n", optionally preceded by "\r"). */
export function withoutFinalNewline(text: string): string {
  const end = endBeforeNewline(text, 0, text.length)
  return end === text.length ? text : text.slice(0, end)
}

/** Strips RDS's truncation tail; returns the text and whether it was there. */
export function withoutTruncationMarker(text: string): [string, boolean] {
  const end = endBeforeTruncation(text, 0, text.length)
  return end < text.length ? [text.slice(0, end), true] : [text, false]
}

/** The end of the line at `from` (its "\n"), at most `end`. */
export function lineEnd(text: string, from: number, end: number): number {
  const nl = text.indexOf("\n", from)
  return nl < 0 || nl > end ? end : nl
}

/** Where the record [start, end) of a text ends without its final line break. */
export function endBeforeNewline(text: string, start: number, end: number): number {
  if (end > start && text.charCodeAt(end - 1) === 10) end--
  return endBeforeCr(text, start, end)
}

/** Where the line [start, end) ends without the "\r" a log that went through Windows tools ends it with. */
export function endBeforeCr(text: string, start: number, end: number): number {
  return end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
}

/** Where the record [start, end) of a text ends without RDS's truncation tail (`end` when it has none). */
export function endBeforeTruncation(text: string, start: number, end: number): number {
  if (end - start >= TRUNCATION_MARKER.length && text.charCodeAt(end - 1) === 93 /* ] */ && text.startsWith(TRUNCATION_MARKER, end - TRUNCATION_MARKER.length)) {
    return end - TRUNCATION_MARKER.length
  }
  return end
}

/**
 * Redacts the free-text fields and adds the fingerprint of the statement. `sourceText` is the text the
 * fields were cut from (undefined when they were decoded from it, as in jsonlog, so every field is
 * checked); when it holds nothing the redactor could change, the fields are not scanned one by one.
 */
export function finishRecord(record: ParsedRecord, redact: Redactor, dialect: SqlDialect, redacting: boolean, sourceText?: string): ParsedRecord {
  return finishFields(record, redact, dialect, redacting && (sourceText === undefined || redact.mayApply(sourceText)))
}

/** finishRecord with the redaction gate already decided: `scanFields` = some field may hold a secret. */
export function finishFields(record: ParsedRecord, redact: Redactor, dialect: SqlDialect, scanFields: boolean): ParsedRecord {
  if (scanFields) {
    if (record.message !== undefined) record.message = redact(record.message)
    if (record.detail !== undefined) record.detail = redact(record.detail)
    if (record.hint !== undefined) record.hint = redact(record.hint)
    if (record.context !== undefined) record.context = redact(record.context)
    if (record.statement !== undefined) record.statement = redact(record.statement)
    if (record.query !== undefined) record.query = redact(record.query)
    if (record.raw !== undefined) record.raw = redact(record.raw)
    if (record.stray_text !== undefined) record.stray_text = redact(record.stray_text)
    if (record.object !== undefined) record.object = redact(record.object)
    if (typeof record.argument === "string") record.argument = redact(record.argument)
  }
  const statement = record.statement
  if (statement !== undefined && statement.length > 0) {
    const fp = fingerprint(statement, dialect)
    // A statement that is only a comment has no shape to group by.
    if (fp.length > 0) record.fingerprint = fp
  }
  return record
}

/** The record for text no rule could read: shipped as is (redacted), never dropped. */
export function unparsedRecord(text: string, reason: string, redact: Redactor, truncated: boolean): ParsedRecord {
  const record: ParsedRecord = { parse_error: reason, raw: redact(text) }
  if (truncated) record.truncated = true
  return record
}
