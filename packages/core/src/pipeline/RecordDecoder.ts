/**
 * Turns bus messages back into records: reassembles records that travelled as partial blocks, splits blocks at
 * record starts, parses and enriches each record. Every record names the messages it came from, so a message is
 * acknowledged only once all its records were shipped. Plain code per message: this is the processor's hot path.
 */
import { BlockParser, lastRecordStart, type LogFormat, logTypeOf, makeParser, type ParseOptions, type Parser, recordStarts } from "@aurora-logs/parsers"
import type { BusMessage } from "../bus/LogBus.ts"
import { fileKey, recordIdPrefix } from "../domain/LogFile.ts"
import type { LogRecord } from "../domain/LogRecord.ts"

export interface DecodedRecord {
  readonly record: LogRecord
  /** UTF-8 bytes of the record's text in the log file. */
  readonly bytes: number
  readonly sources: ReadonlyArray<BusMessage>
}

interface Pending {
  readonly offset: number
  end: number
  readonly parts: Array<Uint8Array>
  readonly sources: Array<BusMessage>
  truncated: boolean
}

export interface DecoderOptions extends ParseOptions {
  /** A record reassembled from partial blocks is cut at this size and flagged `truncated`. */
  readonly maxRecordBytes: number
}

/** Files whose newest fence is remembered (the oldest entry goes first): far more than a processor has live. */
const MAX_REMEMBERED_FILES = 65_536

export class RecordDecoder {
  private readonly parsers = new Map<LogFormat, Parser>()
  private readonly blockParsers = new Map<LogFormat, BlockParser>()
  private readonly pending = new Map<string, Pending>()
  /** Per file, the newest fence among its blocks and the bytes its blocks covered. */
  private readonly reach = new Map<string, { fence: number; start: number; end: number }>()
  /** Blocks skipped as late publications of a replica that had lost the file (see decode). */
  lateBlocks = 0
  private readonly options: DecoderOptions
  /** The record id prefix of the last block enriched: a block's records come one after the other. */
  private idBlock: BusMessage["block"] | undefined
  private idPrefix = ""
  constructor(options: DecoderOptions) {
    this.options = options
  }

  /**
   * The records this message completes. `held` is true when the message's tail now waits in a pending record (its
   * acknowledgement then goes with that record); otherwise the message is done once `records` are shipped.
   */
  decode(message: BusMessage): { readonly records: Array<DecodedRecord>; readonly held: boolean } {
    const block = message.block
    const key = fileKey(block)
    const records: Array<DecodedRecord> = []
    const blockEnd = block.offset + block.data.length
    if (this.isLate(key, block.fence, block.offset, blockEnd)) {
      // A replica paused with this publish under way lost the file meanwhile, and its block landed after the new
      // holder's, which held these bytes too (read again from the stored cursor, which the paused replica could not
      // have moved past them): decoding them again would only repeat records, or cut into a record the new holder's
      // blocks are still putting together.
      this.lateBlocks++
      return { records, held: false }
    }
    let data = block.data
    let base = block.offset
    let sources: Array<BusMessage> = [message]
    let truncated = false
    let from = 0
    let joined = false
    const held = this.pending.get(key)
    if (held !== undefined && block.continuation && held.end >= block.offset && held.end < blockEnd) {
      // The rest of the record we hold (a re-published block may overlap what we already have).
      this.pending.delete(key)
      held.parts.push(block.offset === held.end ? block.data : block.data.subarray(held.end - block.offset))
      held.sources.push(message)
      data = joinParts(held.parts)
      base = held.offset
      sources = held.sources
      truncated = held.truncated
      joined = true
    } else if (held !== undefined && block.continuation && held.end >= blockEnd) {
      // Bytes we hold already: a re-publication after a restart.
      return { records, held: false }
    } else if (held !== undefined) {
      // The rest of the held record never came (the file rotated away or expired): ship what there is.
      this.pending.delete(key)
      this.emit(message, joinParts(held.parts), held.offset, held.sources, held.truncated, records, "incomplete record: its continuation is missing")
    }
    if (block.continuation && !joined) {
      // The beginning of this record was shipped before (this is a re-publication after a restart): its bytes here
      // are not a record of their own.
      from = this.nextStart(block.format, data, 0)
      if (from === data.length) return { records, held: false }
    }
    // Whole records end where the held tail of a partial block begins.
    const end = block.partial ? this.lastStart(block.format, data, from) : data.length
    if (end > from) {
      const parsed = this.blockParserOf(block.format).parse(data.subarray(from, end))
      // Every record after the first comes from this message alone: they share one (never mutated) list.
      const alone: ReadonlyArray<BusMessage> = [message]
      for (let i = 0; i < parsed.records.length; i++) {
        const at = from + parsed.offsets[i]
        const next = i + 1 < parsed.offsets.length ? from + parsed.offsets[i + 1] : end
        this.enrich(message, parsed.records[i] as LogRecord, base + at, next - at, i === 0 ? sources : alone, i === 0 && truncated, records, undefined)
      }
      if (parsed.records.length > 0) {
        sources = [message]
        truncated = false
      }
    }
    if (block.partial) {
      const tail = data.subarray(end)
      const keep = Math.min(tail.length, Math.max(0, this.options.maxRecordBytes))
      this.pending.set(key, {
        offset: base + end,
        end: blockEnd,
        parts: [tail.slice(0, keep)],
        sources,
        truncated: truncated || keep < tail.length
      })
      return { records, held: true }
    }
    return { records, held: false }
  }

  /**
   * Whether a block is a late one from a replica that lost its file: an older fence than a block already seen, and
   * bytes within those the newer fence's blocks covered (a holder reads a file on from the stored cursor, so its
   * blocks cover one run of bytes; the paused replica's unfinished publish began at or after that cursor). Otherwise
   * the block's reach is noted. A block with an older fence and bytes outside that run is decoded: bytes before it
   * (a block delivered again after a consumer restart, from before a takeover) were not in the new holder's blocks,
   * and bytes past it will be published again by the new holder under the same record ids.
   */
  private isLate(key: string, fence: number, start: number, end: number): boolean {
    const reach = this.reach.get(key)
    if (reach === undefined) {
      if (this.reach.size >= MAX_REMEMBERED_FILES) this.reach.delete(this.reach.keys().next().value!)
      this.reach.set(key, { fence, start, end })
      return false
    }
    if (fence > reach.fence) {
      reach.fence = fence
      reach.start = start
      reach.end = end
    } else if (fence === reach.fence) {
      if (start < reach.start) reach.start = start
      if (end > reach.end) reach.end = end
    } else if (start >= reach.start && end <= reach.end) return true
    return false
  }

  /** The first record start after `after` (the data's end when there is none). */
  private nextStart(format: LogFormat, data: Uint8Array, after: number): number {
    for (const s of recordStarts(format, data, 0, data.length, this.options)) if (s > after) return s
    return data.length
  }

  /** The last record start after `after` (`after` itself when there is none): where an unfinished record begins. */
  private lastStart(format: LogFormat, data: Uint8Array, after: number): number {
    const last = lastRecordStart(format, data, after + 1, data.length, this.options)
    return last < 0 ? after : last
  }

  /** Records of a file still waiting for their continuation (their messages are not acknowledged yet). */
  get pendingRecords(): number {
    return this.pending.size
  }

  /** A record parsed on its own: the beginning of a record whose rest never came. */
  private emit(
    message: BusMessage,
    bytes: Uint8Array,
    offset: number,
    sources: ReadonlyArray<BusMessage>,
    truncated: boolean,
    out: Array<DecodedRecord>,
    problem: string | undefined
  ): void {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8")
    this.enrich(message, this.parserOf(message.block.format).parse(text) as LogRecord, offset, bytes.length, sources, truncated, out, problem)
  }

  private enrich(
    message: BusMessage,
    record: LogRecord,
    offset: number,
    bytes: number,
    sources: ReadonlyArray<BusMessage>,
    truncated: boolean,
    out: Array<DecodedRecord>,
    problem: string | undefined
  ): void {
    const block = message.block
    if (problem !== undefined) record.parse_error = record.parse_error === undefined ? problem : `${problem}; ${record.parse_error}`
    if (truncated) record.truncated = true
    if (block !== this.idBlock) {
      this.idBlock = block
      this.idPrefix = recordIdPrefix(block)
    }
    record.record_id = this.idPrefix + offset
    record.engine = block.source.engine
    record.log_type = logTypeOf(block.format)
    record.cluster = block.source.cluster
    record.instance = block.instance
    record.role = block.source.role
    record.region = block.source.region
    record.file = block.file
    record.generation = block.generation
    record.offset = offset
    out.push({ record, bytes, sources })
  }

  private blockParserOf(format: LogFormat): BlockParser {
    let parser = this.blockParsers.get(format)
    if (parser === undefined) {
      parser = new BlockParser(format, this.options)
      this.blockParsers.set(format, parser)
    }
    return parser
  }

  private parserOf(format: LogFormat): Parser {
    let parser = this.parsers.get(format)
    if (parser === undefined) {
      parser = makeParser(format, this.options)
      this.parsers.set(format, parser)
    }
    return parser
  }
}

const joinParts = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0]
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
