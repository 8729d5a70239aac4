/**
 * PostgreSQL stderr, cut and parsed in one pass over a block: the prefix match that decides where a
 * record starts (the same rule as recordStarts, on the same bytes) is kept and handed to the parser,
 * instead of being made again on the decoded text. The block is decoded once as Latin-1, so that
 * string positions are byte offsets; a record that holds non-ASCII bytes is decoded as UTF-8 on its
 * own and parsed as makeParser would.
 */
import type { BlockMarks, NonAsciiMarks } from "../BlockMarks.ts"
import { endBeforeNewline, endBeforeTruncation, lineEnd } from "../Record.ts"
import type { ParsedRecord } from "../Types.ts"
import { type CompiledPrefix, FIRST_SECONDARY_CODE } from "./Prefix.ts"
import type { PostgresStderrParser } from "./StderrParser.ts"

const TAB = 9

export interface StderrBlockInput {
  readonly bytes: Uint8Array
  readonly buffer: Buffer
  /** The block decoded as Latin-1: text position = byte offset. */
  readonly text: string
  /** Where non-ASCII bytes are. */
  readonly wide: NonAsciiMarks
  /** Where redaction may apply (see redactionGate). */
  readonly gate: BlockMarks
}

export function parseStderrBlock(parser: PostgresStderrParser, prefix: CompiledPrefix, input: StderrBlockInput, records: ParsedRecord[], offsets: number[]): void {
  const { bytes, buffer, text, wide, gate } = input
  const n = bytes.length
  if (n === 0) return
  // The match of the current record's first line, and a scratch array for the lines after it.
  let held = new Int32Array(prefix.captureSize)
  let scratch = new Int32Array(prefix.captureSize)
  const rematch = new Int32Array(prefix.captureSize)
  let heldCode = -1
  let heldSeverityEnd = 0
  let heldLineEnd = 0
  let recordStart = 0

  /** Parses the record [recordStart, endRaw). */
  const finish = (endRaw: number) => {
    const start = recordStart
    if (wide.within(start, endRaw)) {
      // The gate's words are ASCII: they lie at the same bytes of the Latin-1 and the UTF-8 decoding.
      records.push(parser.parse(buffer.toString("utf8", start, endRaw), gate.within(start, endRaw)))
      offsets.push(start)
      return
    }
    // As parse: without the final newline and RDS's truncation tail.
    const withoutNewline = endBeforeNewline(text, start, endRaw)
    const end = endBeforeTruncation(text, start, withoutNewline)
    const truncated = end < withoutNewline
    let record: ParsedRecord
    if (heldCode >= 0 && heldLineEnd <= end) {
      // parse would match the very same first line: the match made while cutting stands.
      record = parser.parseMatched(text, start, heldLineEnd, end, truncated, held, heldCode, heldSeverityEnd, gate.within(start, end))
    } else {
      const firstEnd = lineEnd(text, start, end)
      record = prefix.matchLine(text, start, firstEnd, rematch)
        ? parser.parseMatched(text, start, firstEnd, end, truncated, rematch, prefix.severity, prefix.severityEnd, gate.within(start, end))
        : parser.unparsed(text.slice(start, end), truncated)
    }
    records.push(record)
    offsets.push(start)
  }

  let p = 0
  while (p < n) {
    // The text's indexOf (the same positions) costs less per call than the byte array's.
    const nl = text.indexOf("\n", p)
    const end = nl < 0 ? n : nl
    // recordStarts' rule for stderr: a prefixed line whose severity is not a secondary tag.
    if (bytes[p] !== TAB && prefix.matchLine(bytes, p, end, scratch) && prefix.severity < FIRST_SECONDARY_CODE) {
      const code = prefix.severity
      const severityEnd = prefix.severityEnd
      // finish() may match again, overwriting the prefix's last match: read it first.
      if (p > 0) finish(p)
      const swap = held; held = scratch; scratch = swap
      heldCode = code
      heldSeverityEnd = severityEnd
      heldLineEnd = end
      recordStart = p
    }
    if (nl < 0) break
    p = nl + 1
  }
  finish(n)
}
