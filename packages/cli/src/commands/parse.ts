/**
 * `aurora-logs parse`: parse local log files to NDJSON records, or to one summary object with --stats.
 * Files are streamed (a 5 MB line and a 1 GB file both work in bounded memory): chunks go through
 * the parsers' RecordFramer, which cuts them into blocks of whole records and carries the unfinished
 * tail (a record longer than --max-record-bytes is cut there and flagged `truncated`, as the pipeline
 * ships it, so that even a file read in the wrong format, one record from end to end, stays bounded), and
 * each block through BlockParser and NdjsonEncoder, the path the pipeline takes. `-` reads
 * stdin, `.gz` files are gunzipped on the way. A UTF-8 byte order mark at the start of a file is
 * skipped (offsets stay file offsets); a file that fails part-way (a .gz that breaks off) keeps the
 * records read before the failure; a reader that closes stdout (`| head`) ends the command quietly.
 * Effect is used only at the command boundary; the per-record work is plain code on the parsers' hot path.
 */
import type { Writable } from "node:stream"
import { Effect } from "effect"
import { parseByteSize } from "@aurora-logs/core/config/Settings"
import {
  BlockParser,
  countLines,
  DEFAULT_MAX_RECORD_BYTES,
  detectFormat,
  engineOf,
  type FramedBlock,
  isLogFormat,
  LOG_FORMATS,
  logTypeOf,
  NdjsonEncoder,
  ParseStats,
  RecordFramer,
  type LogFormat,
  type ParseOptions
} from "@aurora-logs/parsers"
import { concat, FileChunks, openInput } from "./ParseInput.ts"
import { Output, OutputFailed, write } from "./ParseOutput.ts"

export const PARSE_USAGE =
  "aurora-logs parse [--format auto|" + LOG_FORMATS.join("|") + "] [--prefix LOG_LINE_PREFIX] [--stats] [--no-redact] [--max-record-bytes SIZE] FILE..."

export interface ParseIo {
  readonly stdin: AsyncIterable<Uint8Array | string>
  readonly stdout: Writable
  readonly stderr: Writable
}

interface ParseArgs {
  readonly format: LogFormat | "auto"
  readonly prefix: string | undefined
  readonly stats: boolean
  readonly redact: boolean
  readonly maxRecordBytes: number
  readonly files: ReadonlyArray<string>
}

class BadUsage extends Error {}

/** How many bytes of a file are looked at to detect its format. */
const SNIFF_BYTES = 16 * 1024
/** Output is written in chunks of this many bytes (fewer syscalls, still bounded). */
const OUTPUT_BATCH = 256 * 1024

export const parseCommand = (argv: ReadonlyArray<string>): Effect.Effect<number> =>
  parseCommandWith(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })

/** parseCommand with its streams passed in (tests capture them). */
export const parseCommandWith = (argv: ReadonlyArray<string>, io: ParseIo): Effect.Effect<number> =>
  Effect.promise(() => runParse(argv, io))

function readArgs(argv: ReadonlyArray<string>): ParseArgs {
  let format: LogFormat | "auto" = "auto"
  let prefix: string | undefined
  let stats = false
  let redact = true
  let maxRecordBytes = DEFAULT_MAX_RECORD_BYTES
  const files: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--") { files.push(...argv.slice(i + 1)); break }
    if (arg === "-" || !arg.startsWith("-")) { files.push(arg); continue }
    const eq = arg.indexOf("=")
    const name = eq < 0 ? arg : arg.slice(0, eq)
    const valueOf = (expected: string): string => {
      if (eq >= 0) return arg.slice(eq + 1)
      const next = argv[i + 1]
      if (next === undefined) throw new BadUsage(`${name} needs a value: ${name} ${expected}`)
      i++
      return next
    }
    switch (name) {
      case "--format": {
        const value = valueOf("auto|" + LOG_FORMATS.join("|"))
        if (value !== "auto" && !isLogFormat(value)) throw new BadUsage(`--format ${value}: expected one of auto|${LOG_FORMATS.join("|")}`)
        format = value
        break
      }
      case "--prefix":
        prefix = valueOf("LOG_LINE_PREFIX (e.g. '%t:%r:%u@%d:[%p]:')")
        if (prefix.length === 0) throw new BadUsage("--prefix: expected a non-empty PostgreSQL log_line_prefix, e.g. --prefix '%t:%r:%u@%d:[%p]:'")
        break
      case "--max-record-bytes": {
        const value = valueOf("SIZE (e.g. 16MiB)")
        const size = parseByteSize(value)
        if (size === undefined || size < 1) throw new BadUsage(`--max-record-bytes ${value}: expected a size such as 1048576, 512KiB or 16MiB`)
        maxRecordBytes = size
        break
      }
      case "--stats":
      case "--no-redact":
        if (eq >= 0) throw new BadUsage(`${name} takes no value: ${name}`)
        if (name === "--stats") stats = true
        else redact = false
        break
      default:
        throw new BadUsage(`unknown flag ${name}: usage: ${PARSE_USAGE}`)
    }
  }
  if (files.length === 0) throw new BadUsage(`no FILE given: usage: ${PARSE_USAGE}`)
  return { format, prefix, stats, redact, maxRecordBytes, files }
}

async function runParse(argv: ReadonlyArray<string>, io: ParseIo): Promise<number> {
  let args: ParseArgs
  try {
    args = readArgs(argv)
  } catch (error) {
    if (!(error instanceof BadUsage)) throw error
    await write(io.stderr, `aurora-logs parse: ${error.message}\n`)
    return 2
  }
  const options: ParseOptions = { redact: args.redact, ...(args.prefix === undefined ? {} : { logLinePrefix: args.prefix }) }
  const stats = args.stats ? new ParseStats() : undefined
  const out = new Output(io.stdout)
  let exitCode = 0
  try {
    for (const file of args.files) {
      try {
        await parseOne(file, args.format, options, args.maxRecordBytes, io, out, stats)
      } catch (error) {
        if (error instanceof OutputFailed) throw error
        exitCode = 1
        const reason = error instanceof Error ? error.message : String(error)
        await write(io.stderr, `aurora-logs parse: cannot read ${file}: ${reason}\n`)
      }
    }
    if (stats !== undefined) await out.write(JSON.stringify(stats.toJSON()) + "\n")
  } catch (error) {
    if (!(error instanceof OutputFailed)) throw error
    if (error.readerGone) return exitCode
    await write(io.stderr, `aurora-logs parse: cannot write the output: ${error.message}\n`)
    return 1
  } finally {
    out.close()
  }
  return exitCode
}

/** A file being parsed once its format is known: chunks in, NDJSON (or counts) out. */
interface FileRun {
  readonly format: LogFormat
  /** Says, at the end, which records it cut. */
  readonly framer: RecordFramer
  readonly push: (chunk: Uint8Array) => Promise<void>
  /** Parses the carried last record and writes what is left. */
  readonly end: () => Promise<void>
}

async function parseOne(
  file: string,
  requested: LogFormat | "auto",
  options: ParseOptions,
  maxRecordBytes: number,
  io: ParseIo,
  out: Output,
  stats: ParseStats | undefined
): Promise<void> {
  const input = new FileChunks(openInput(file, io.stdin))
  const nameForFormat = file === "-" ? undefined : file
  let seen = 0
  let unparsed = 0
  let firstProblem: string | undefined

  const begin = (format: LogFormat): FileRun => {
    const parser = new BlockParser(format, options)
    const framer = new RecordFramer(format, options, maxRecordBytes)
    // The fields every record of the file shares are encoded once.
    const shared = NdjsonEncoder.suffix({ file, log_type: logTypeOf(format), engine: engineOf(format) })
    const filled: Uint8Array[] = []
    const encoder = new NdjsonEncoder((bytes) => filled.push(bytes), OUTPUT_BATCH)
    const drain = async () => {
      for (const bytes of filled.splice(0)) await out.write(bytes)
    }
    const take = async (blocks: ReadonlyArray<FramedBlock>) => {
      for (const block of blocks) await takeBlock(block)
    }
    const takeBlock = async (block: FramedBlock) => {
      const { records, offsets } = parser.parse(block.bytes)
      // The record the framer cut at --max-record-bytes, as the pipeline ships it.
      if (block.cut && records.length > 0) records[records.length - 1]!.truncated = true
      seen += records.length
      for (let i = 0; i < records.length; i++) {
        const problem = records[i]!.parse_error
        if (problem !== undefined) {
          unparsed++
          firstProblem ??= problem
        }
      }
      if (stats !== undefined) {
        for (let i = 0; i < records.length; i++) stats.add(records[i]!, format, (offsets[i + 1] ?? block.bytes.length) - offsets[i]!)
        stats.addLines(countLines(block.bytes))
        return
      }
      for (let i = 0; i < records.length; i++) {
        // The parser's record is ours to extend: no copy on the hot path.
        const record = records[i]!
        record.offset = input.skipped + block.offset + offsets[i]!
        encoder.write(record, shared)
      }
      await drain()
    }
    return {
      format,
      framer,
      push: (chunk) => take(framer.push(chunk)),
      end: async () => {
        await take(framer.flush())
        encoder.flush()
        await drain()
      }
    }
  }

  // Until the format is known (--format auto), the first chunks wait to be sniffed.
  let run: FileRun | undefined
  const head: Uint8Array[] = []
  let headBytes = 0
  const startWith = async (format: LogFormat) => {
    run = begin(format)
    for (const chunk of head.splice(0)) await run.push(chunk)
  }
  if (requested !== "auto") await startWith(requested)

  // A file that fails part-way (a .gz that breaks off, a read error) still gives the records read before: then it is reported.
  let readFailure: { error: unknown } | undefined
  try {
    for await (const chunk of input) {
      if (run === undefined) {
        head.push(chunk)
        headBytes += chunk.length
        if (headBytes >= SNIFF_BYTES) await startWith(detectFormat(nameForFormat, concat(head)))
        continue
      }
      await run.push(chunk)
    }
  } catch (error) {
    if (error instanceof OutputFailed) throw error
    readFailure = { error }
  }
  stats?.addBytes(input.skipped)
  if (run === undefined) await startWith(detectFormat(nameForFormat, concat(head)))
  await run!.end()
  const { cutRecords, leftOutBytes } = run!.framer
  if (cutRecords > 0) {
    await write(io.stderr, `aurora-logs parse: ${file}: ${cutRecords} record(s) longer than ${maxRecordBytes} bytes were cut there (truncated: true), ${leftOutBytes} bytes left out; --max-record-bytes sets the limit\n`)
  }
  // Nothing is dropped either way, but a file that mostly did not parse usually means a wrong format or prefix.
  if (unparsed > 0 && unparsed * 2 >= seen) {
    const hint = input.looksUtf16()
      ? "; it looks like UTF-16 text: the parsers read UTF-8; convert it first, e.g. iconv -f UTF-16 -t UTF-8"
      : run!.format === "postgres"
      ? `; if the server's log_line_prefix is not ${options.logLinePrefix ?? "RDS's"}, give it with --prefix`
      : requested === "auto" ? "; if the format was guessed wrong, give it with --format" : ""
    await write(io.stderr, `aurora-logs parse: ${file}: ${unparsed} of ${seen} records did not parse (as ${run!.format}: ${firstProblem})${hint}\n`)
  }
  if (readFailure !== undefined) throw readFailure.error
}
