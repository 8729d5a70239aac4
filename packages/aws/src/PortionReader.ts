/**
 * DownloadDBLogFilePortion with every known pitfall handled, so that the bytes a portion returns are exactly the
 * file's bytes between the two markers, never fewer and never more.
 *
 * - A cut answer (` [Your log message was truncated]`, past 1 MB) is never accepted: the same marker is asked again
 *   with as many lines as fitted before the cut (less a margin), down to one. After each full page the line count
 *   is set from the file's average line length to fill most of a page, so catching up costs about one call per MB.
 *   A file never read before starts from the count its series (the same name without its digits: the previous
 *   hour's file, the same log of another instance) last settled on, so its first page is rarely cut.
 * - One line longer than the cut is read from the complete-file download for exactly its byte range; only when that
 *   fails too is the cut line delivered, marked `truncated`.
 * - The file refused as binary data is read from the complete-file download (one portion-sized page from the
 *   marker), never skipped.
 * - Markers in the `N:OFFSET` form are byte offsets (an inference: the notes in docs/aws.md say why): an answer
 *   whose length disagrees with its markers is repaired. Extra trailing newlines are dropped; an overlap or a gap
 *   is replaced by the exact range from the complete-file download.
 */
import { Effect } from "effect"
import type { Portion, RdsError } from "@aurora-logs/core"
import { isBinaryDataRefusal } from "./RdsFailure.ts"
import { recordFallback } from "./RdsMetrics.ts"

export const TRUNCATION_SUFFIX = " [Your log message was truncated]"
const NEWLINE = 10

export interface RawPortion {
  readonly data: string
  readonly marker: string | undefined
  readonly pending: boolean
}

/** A byte range from the complete-file download: `bytes` from `from`, and whether the file ended there. */
export interface Range {
  readonly bytes: Uint8Array
  readonly eof: boolean
}

/**
 * `exact`: `maxBytes` bytes (fewer only at the end of the file); `page`: up to `maxBytes`, cut after the last
 * newline when there is one, as a portion ends at a line end; `line`: up to and including the first newline.
 */
export interface RangeRequest {
  readonly from: number
  readonly maxBytes: number
  readonly mode: "exact" | "page" | "line"
}

export interface PortionReaderOptions {
  readonly maxLines: number
  /** The API's cut (1 MB); the size of a page read from the complete download instead of a portion. */
  readonly portionBytes: number
  readonly verifyMarkers: boolean
}

export interface PortionSources {
  readonly portion: (instance: string, file: string, marker: string, lines: number) => Effect.Effect<RawPortion, RdsError>
  readonly range: (instance: string, file: string, request: RangeRequest) => Effect.Effect<Range, RdsError>
}

/** `N:OFFSET` (or "0") -> the byte offset; undefined for a marker of another form. */
export const parseMarker = (marker: string): { readonly prefix: string; readonly offset: number } | undefined => {
  if (marker === "0") return { prefix: "0", offset: 0 }
  const m = /^(\d+):(\d+)$/.exec(marker)
  return m === null ? undefined : { prefix: m[1] as string, offset: Number(m[2]) }
}

/** A marker for `offset` in the form of `like`. */
export const markerFor = (like: string, offset: number): string => `${parseMarker(like)?.prefix ?? "0"}:${offset}`

const encoder = new TextEncoder()

/** The share of the cut a page aims at: close to one call per MB, with room for lines longer than average. */
const FILL = 0.95
/** After a cut, the share of the lines that fitted to ask for: a wider margin, the page just proved too long. */
const REFILL = 0.9

/**
 * Fewer lines than this tell no line length: a page that ended at the file's end with fewer sets no count, and a
 * cut page with fewer sets none for its series.
 */
const MIN_SAMPLE_LINES = 200
/** How much of each file's latest bytes is kept to recognise a repeated page. */
const TAIL_BYTES = 8_192
/** Files remembered (line counts, tails); the least recently read are forgotten first, so memory stays bounded. */
const MAX_FILES = 20_000

/** A file's series: its name without the instance and with its digits (dates, hours, stripes) left out. */
const seriesKey = (file: string): string => file.replace(/\d+/g, "#")

const setBounded = <V>(map: Map<string, V>, key: string, value: V) => {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_FILES) map.delete(map.keys().next().value as string)
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/**
 * A page longer than its markers say: the extra bytes are text repeated from the previous page at the start, blank
 * lines appended at the end, or both. Every split of the extra bytes between the two that fits what we know (the
 * appended part is all newlines; the repeated part equals the end of what this file delivered last, or that is not
 * known) is a candidate; when all candidates give the same bytes, those are the page, otherwise undefined (ask the
 * complete download).
 */
const withoutExtras = (
  data: Uint8Array,
  expected: number,
  tail: { readonly end: number; readonly bytes: Uint8Array } | undefined,
  from: number
): Uint8Array | undefined => {
  const excess = data.length - expected
  if (excess > TAIL_BYTES) return undefined
  let newlines = 0
  while (newlines < excess && data[data.length - 1 - newlines] === NEWLINE) newlines++
  let result: Uint8Array | undefined
  for (let appended = 0; appended <= newlines; appended++) {
    const repeated = excess - appended
    // Nothing comes before the start of the file to be repeated.
    if (repeated > from) continue
    const known = tail !== undefined && tail.end === from && tail.bytes.length >= repeated
    if (repeated > 0 && known && !sameBytes(data.subarray(0, repeated), tail.bytes.subarray(tail.bytes.length - repeated))) continue
    const candidate = data.subarray(repeated, data.length - appended)
    if (result !== undefined && !sameBytes(result, candidate)) return undefined
    result = candidate
  }
  return result
}

const countNewlines = (text: string): number => {
  let n = 0
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) n++
  return n
}

export const makePortionReader = (sources: PortionSources, options: PortionReaderOptions) => {
  /** Lines to ask per call, per file: the maximum at first, then what the file's line lengths and the cut allow. */
  const linesHint = new Map<string, number>()
  /** The same, per series: where a file never read before starts. */
  const seriesHint = new Map<string, number>()
  /** The last bytes delivered per file and the offset they end at: what a repeated (overlapping) page would repeat. */
  const tails = new Map<string, { readonly end: number; readonly bytes: Uint8Array }>()
  /** The cut in bytes: the configured one until a cut answer shows the API's own (its data up to the notice). */
  let cutBytes = options.portionBytes

  const fromComplete = (instance: string, file: string, marker: string, request: RangeRequest) =>
    Effect.map(sources.range(instance, file, request), (range): Portion => ({
      data: range.bytes,
      marker: markerFor(marker, request.from + range.bytes.length),
      pending: !range.eof
    }))

  /** The answer's bytes must be exactly the file between the markers: trim blank lines, or re-read the range. */
  const verified = (key: string, instance: string, file: string, marker: string, raw: RawPortion) =>
    Effect.gen(function*() {
      const data = encoder.encode(raw.data)
      const next = raw.marker ?? marker
      const portion: Portion = { data, marker: next, pending: raw.pending }
      const from = parseMarker(marker)
      const to = parseMarker(next)
      if (!options.verifyMarkers || from === undefined || to === undefined || to.offset < from.offset) return portion
      const expected = to.offset - from.offset
      if (data.length === expected) return portion
      if (data.length > expected) {
        const repaired = withoutExtras(data, expected, tails.get(key), from.offset)
        if (repaired !== undefined) return { ...portion, data: repaired }
      }
      yield* Effect.logWarning("RDS portion disagrees with its markers; re-reading the range from the complete file").pipe(
        Effect.annotateLogs({ instance, file, marker, next, bytes: data.length, expected })
      )
      yield* recordFallback("repair")
      const range = yield* sources.range(instance, file, { from: from.offset, maxBytes: expected, mode: "exact" })
      return range.bytes.length === expected
        ? { ...portion, data: range.bytes }
        : { data: range.bytes, marker: markerFor(marker, from.offset + range.bytes.length), pending: true }
    })

  /** One line is longer than the cut: its exact range from the complete download, or the cut line if that fails. */
  const longLine = (instance: string, file: string, marker: string, raw: RawPortion) => {
    const from = parseMarker(marker)
    const to = raw.marker === undefined ? undefined : parseMarker(raw.marker)
    const cut: Portion = {
      data: encoder.encode(raw.data.slice(0, raw.data.length - TRUNCATION_SUFFIX.length)),
      marker: raw.marker ?? marker,
      pending: raw.pending,
      truncated: true
    }
    if (from === undefined) return Effect.succeed(cut)
    const request: RangeRequest = to !== undefined && to.offset > from.offset
      ? { from: from.offset, maxBytes: to.offset - from.offset, mode: "exact" }
      : { from: from.offset, maxBytes: Number.MAX_SAFE_INTEGER, mode: "line" }
    return Effect.andThen(recordFallback("long_line"), fromComplete(instance, file, marker, request)).pipe(
      Effect.map((p) => (to !== undefined && p.data.length === request.maxBytes ? { ...p, marker: raw.marker as string, pending: raw.pending } : p)),
      Effect.catch((error) =>
        Effect.as(
          Effect.logWarning("a line longer than the portion limit could not be read whole; delivering it cut").pipe(
            Effect.annotateLogs({ instance, file, marker, error: error.message }),
            Effect.andThen(recordFallback("truncated"))
          ),
          cut
        )
      )
    )
  }

  /**
   * The line count that fills about 95% of the cut at the average line length of this page, so that catching up
   * costs little more than one call per MB and rarely overshoots into a cut answer; undefined when the page says
   * too little (it ended at the file's end with few lines).
   */
  const nextLines = (asked: number, portion: Portion): number | undefined => {
    let newlines = 0
    for (const byte of portion.data) if (byte === NEWLINE) newlines++
    if (newlines === 0 || (newlines < asked && newlines < MIN_SAMPLE_LINES)) return undefined
    const target = Math.floor((cutBytes * FILL * newlines) / portion.data.length)
    return Math.max(1, Math.min(options.maxLines, target))
  }

  const remember = (key: string, marker: string, portion: Portion) => {
    const from = parseMarker(marker)
    const to = parseMarker(portion.marker)
    if (from === undefined || to === undefined || to.offset - from.offset !== portion.data.length) return tails.delete(key)
    const previous = tails.get(key)
    const joined = previous !== undefined && previous.end === from.offset
      ? Buffer.concat([previous.bytes, portion.data])
      : portion.data
    setBounded(tails, key, { end: to.offset, bytes: joined.slice(Math.max(0, joined.length - TAIL_BYTES)) })
  }

  const read = Effect.fn("RdsLogs.downloadPortion")(function*(instance: string, file: string, marker: string) {
    const key = `${instance}\u0000${file}`
    const portion = yield* readOnce(key, instance, file, marker)
    remember(key, marker, portion)
    return portion
  })

  const readOnce = (key: string, instance: string, file: string, marker: string) => Effect.gen(function*() {
    const series = seriesKey(file)
    let lines = linesHint.get(key) ?? seriesHint.get(series) ?? options.maxLines
    while (true) {
      const answer = yield* sources.portion(instance, file, marker, lines).pipe(
        Effect.map((raw) => ({ raw })),
        // Without a byte offset in the marker there is no range to read instead: the refusal stands.
        Effect.catchIf((e) => isBinaryDataRefusal(e) && parseMarker(marker) !== undefined, () => Effect.succeed({ raw: undefined }))
      )
      if (answer.raw === undefined) {
        const from = parseMarker(marker)?.offset ?? 0
        yield* Effect.annotateCurrentSpan("binaryFallback", true)
        yield* recordFallback("binary")
        return yield* fromComplete(instance, file, marker, { from, maxBytes: options.portionBytes, mode: "page" })
      }
      const raw = answer.raw
      if (raw.data.endsWith(TRUNCATION_SUFFIX)) {
        cutBytes = Math.max(1, Math.min(cutBytes, Buffer.byteLength(raw.data) - TRUNCATION_SUFFIX.length))
        if (lines > 1) {
          // The whole lines that fitted before the cut say how many to ask for; none fitted: the first line is too long.
          const fitted = countNewlines(raw.data)
          lines = Math.max(1, Math.min(lines - 1, Math.floor(fitted * REFILL)))
          setBounded(linesHint, key, lines)
          // A cut after a few lines (one very long line) says nothing about the series' other files.
          if (fitted >= MIN_SAMPLE_LINES) setBounded(seriesHint, series, lines)
          continue
        }
        yield* Effect.annotateCurrentSpan("longLine", true)
        return yield* longLine(instance, file, marker, raw)
      }
      const portion = yield* verified(key, instance, file, marker, raw)
      const next = nextLines(lines, portion)
      if (next !== undefined) {
        setBounded(linesHint, key, next)
        setBounded(seriesHint, series, next)
      }
      return portion
    }
  })

  return { read }
}
