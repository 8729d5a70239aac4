/**
 * Where something occurs in a block (the redaction gate's words, non-ASCII bytes), asked record by
 * record. For a pattern, the regex runs from a record's start only when the last match found lies
 * before it, so the block is scanned about once, with one regex call per record that holds a match
 * rather than one per record or one per match.
 */
import { isAscii } from "node:buffer"

export class BlockMarks {
  private readonly pattern: RegExp | undefined
  private readonly text: string
  private readonly all: boolean
  /** The first match at or after the last position asked; Infinity when there is none. */
  private mark = -1

  /** `pattern`: a global regex to find, true (every range holds a mark) or false (none does). */
  constructor(pattern: RegExp | boolean, text: string) {
    this.all = pattern === true
    this.pattern = typeof pattern === "boolean" ? undefined : pattern
    this.text = text
    if (this.pattern === undefined) this.mark = Infinity
  }

  /** Whether a match begins in [start, end); ranges must be asked in increasing order. */
  within(start: number, end: number): boolean {
    if (this.all) return true
    if (this.mark < start) {
      const pattern = this.pattern!
      pattern.lastIndex = start
      const m = pattern.exec(this.text)
      this.mark = m === null ? Infinity : m.index
    }
    return this.mark < end
  }
}

/**
 * Where a block's bytes are not ASCII, asked record by record as BlockMarks is. Node's native check of
 * a range costs less than a regex that reads every character of the decoded block, and ranges may
 * be asked in any order.
 */
export class NonAsciiMarks {
  private readonly bytes: Uint8Array | undefined

  /** `bytes` undefined: the block is ASCII throughout. */
  constructor(bytes: Uint8Array | undefined) {
    this.bytes = bytes
  }

  /** Whether a byte above 0x7f lies in [start, end). */
  within(start: number, end: number): boolean {
    return this.bytes !== undefined && !isAscii(this.bytes.subarray(start, end))
  }
}
