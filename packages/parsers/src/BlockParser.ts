/**
 * Cutting and parsing a whole block of a log in one call: the fast path for callers that hold many
 * records at once (the pipeline, `parse`, the benchmark). It gives exactly the records that
 * recordBounds + Buffer#toString("utf8") + makeParser(format).parse give, with each record's byte
 * offset, but decodes the block once (records with non-ASCII bytes on their own), decides once per block
 * where redaction may apply, reads slow-log records in place, and, for PostgreSQL stderr, matches each
 * line's prefix once.
 */
import { isAscii } from "node:buffer"
import { BlockMarks, NonAsciiMarks } from "./BlockMarks.ts"
import type { LogFormat } from "./Format.ts"
import { blockRecordStarts } from "./RecordStarts.ts"
import { makeParser } from "./Parser.ts"
import { RecordParser } from "./RecordParser.ts"
import { compilePrefix } from "./postgres/Prefix.ts"
import { parseStderrBlock } from "./postgres/StderrBlock.ts"
import { PostgresStderrParser } from "./postgres/StderrParser.ts"
import { redactionGate } from "./Redaction.ts"
import type { ParsedRecord, ParseOptions, Parser } from "./Types.ts"

export interface ParsedBlock {
  readonly records: ParsedRecord[]
  /** Byte offset in the block where each record begins; it ends where the next begins (the last at the block's end). */
  readonly offsets: number[]
}

export class BlockParser {
  private readonly format: LogFormat
  private readonly options: ParseOptions | undefined
  private readonly parser: Parser

  constructor(format: LogFormat, options?: ParseOptions) {
    this.format = format
    this.options = options
    this.parser = makeParser(format, options)
  }

  /**
   * Every record of a block that holds whole records (as recordBounds sees a complete file: bytes
   * before the first record start form a record of their own).
   */
  parse(block: Uint8Array): ParsedBlock {
    const records: ParsedRecord[] = []
    const offsets: number[] = []
    if (block.length === 0) return { records, offsets }
    // The plain typed array's indexOf is cheaper than a Buffer's; the Buffer view decodes.
    const bytes = Object.getPrototypeOf(block) === Uint8Array.prototype ? block : new Uint8Array(block.buffer, block.byteOffset, block.byteLength)
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    // Latin-1 keeps one character per byte: string positions are byte offsets. Records that hold
    // non-ASCII bytes are decoded as UTF-8 on their own.
    const text = buffer.toString("latin1")
    const wide = new NonAsciiMarks(isAscii(buffer) ? undefined : bytes)
    const gate = new BlockMarks(redactionGate(this.options), text)
    if (this.parser instanceof PostgresStderrParser) {
      parseStderrBlock(this.parser, compilePrefix(this.options?.logLinePrefix), { bytes, buffer, text, wide, gate }, records, offsets)
      return { records, offsets }
    }
    const starts = blockRecordStarts(this.format, bytes, text, this.options)
    if (starts[0] !== 0) starts.unshift(0)
    const parser = this.parser
    const inPlace = parser instanceof RecordParser ? parser : undefined
    for (let i = 0; i < starts.length; i++) {
      const start = starts[i]!
      const end = i + 1 < starts.length ? starts[i + 1]! : bytes.length
      const decoded = wide.within(start, end) ? buffer.toString("utf8", start, end) : undefined
      records.push(inPlace === undefined ? parser.parse(decoded ?? text.slice(start, end)) : inPlace.parseIn(text, start, end, decoded, gate))
      offsets.push(start)
    }
    return { records, offsets }
  }
}

/** BlockParser#parse for one block (a parser per call: prefer a BlockParser for many blocks). */
export function parseBlock(format: LogFormat, block: Uint8Array, options?: ParseOptions): ParsedBlock {
  return new BlockParser(format, options).parse(block)
}
