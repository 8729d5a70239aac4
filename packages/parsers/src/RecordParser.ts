/**
 * What the parsers of every format share: the redactor they apply before a record leaves them, and the first
 * step of every parse, which takes the record's final newline and RDS's truncation marker off its text.
 */
import type { BlockMarks } from "./BlockMarks.ts"
import { withoutFinalNewline, withoutTruncationMarker } from "./Record.ts"
import type { Redactor } from "./Redaction.ts"
import type { ParsedRecord, Parser } from "./Types.ts"

export abstract class RecordParser implements Parser {
  protected readonly redact: Redactor
  /** Whether redaction is on: some formats skip work that only redaction needs. */
  protected readonly redacting: boolean

  constructor(redact: Redactor, redacting: boolean) {
    this.redact = redact
    this.redacting = redacting
  }

  parse(input: string): ParsedRecord {
    const [text, truncated] = withoutTruncationMarker(withoutFinalNewline(input))
    return this.parseText(text, truncated)
  }

  /**
   * parse() of the record [start, end) of a block held as Latin-1 `text` (`decoded`: the record decoded
   * as UTF-8, when it holds non-ASCII bytes). `gate` marks where in `text` redaction may apply (see
   * redactionGate); records are given in order. Formats that read a record in place override it.
   */
  parseIn(text: string, start: number, end: number, decoded: string | undefined, _gate: BlockMarks): ParsedRecord {
    return this.parse(decoded ?? text.slice(start, end))
  }

  /** One record's text, without its final newline and truncation marker (`truncated` says whether it had one). */
  protected abstract parseText(text: string, truncated: boolean): ParsedRecord
}
