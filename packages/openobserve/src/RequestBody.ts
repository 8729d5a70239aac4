/**
 * Turns records into OpenObserve ingestion requests: `_bulk` (an action line naming the stream and the record's
 * `record_id` as `_id`, then the document), `_multi` (NDJSON, one stream per request) or `_json` (a JSON array, one
 * stream per request), each request within the byte and record limits. This runs for every record shipped: the
 * records of a call are encoded straight into bytes, one after the other (NdjsonEncoder, byte for byte what
 * JSON.stringify gives), and each request's body is a slice of them.
 */
import { makeStreamNamer } from "@aurora-logs/core"
import { NdjsonEncoder, type ParsedRecord } from "@aurora-logs/parsers"
import type { Outgoing } from "./IngestionWindow.ts"
import type { IngestEndpoint } from "./OpenObserveSettings.ts"

export interface RequestSettings {
  readonly org: string
  readonly endpoint: IngestEndpoint
  readonly streamTemplate: string
  readonly maxRequestBytes: number
  readonly maxRequestRecords: number
}

export interface EncodedRequest {
  /** Path and query below the base URL, e.g. `/api/default/_bulk`. */
  readonly path: string
  /** The stream of a `_json` / `_multi` request; undefined for `_bulk`, whose lines name their streams. */
  readonly stream: string | undefined
  readonly outgoing: ReadonlyArray<Outgoing>
  /** Uncompressed body. */
  readonly body: Buffer
}

export interface RequestEncoder {
  /** The requests that carry `outgoing`, each within the limits (a record alone over the byte limit goes alone). */
  readonly requests: (outgoing: ReadonlyArray<Outgoing>) => Array<EncodedRequest>
  /** One request for exactly `outgoing`, limits aside (all of one stream for `_json` / `_multi`). */
  readonly request: (outgoing: ReadonlyArray<Outgoing>) => EncodedRequest
  readonly streamOf: (outgoing: Outgoing) => string
}

/**
 * Records encoded one after the other: `ends[i]` is where the text of the `i`-th written record ends. The first
 * chunk is sized for the records at hand (about 1 KiB each, up to 4 MiB), so a batch's text is usually one chunk
 * and needs no copy to be joined; only the pages written become resident.
 */
class EncodedRun {
  readonly chunks: Array<Uint8Array> = []
  readonly encoder: NdjsonEncoder
  readonly ends: Array<number> = []
  constructor(records: number) {
    this.encoder = new NdjsonEncoder((bytes) => this.chunks.push(bytes), Math.min(4 << 20, Math.max(64 << 10, records * 1024)))
  }

  /** Every byte written, in one buffer (no copy when it fits one chunk). */
  bytes(): Buffer {
    this.encoder.flush()
    const [first] = this.chunks
    if (this.chunks.length === 1 && first !== undefined) return Buffer.from(first.buffer, first.byteOffset, first.length)
    return Buffer.concat(this.chunks)
  }
}

const OPEN_BRACKET = 91
const COMMA = 44
const CLOSE_BRACKET = 93

export const makeRequestEncoder = (settings: RequestSettings): RequestEncoder => {
  const namer = makeStreamNamer(settings.streamTemplate)
  const streamOf = (o: Outgoing) => namer(o.record)
  const org = encodeURIComponent(settings.org)
  const bulkPath = `/api/${org}/_bulk`
  const streamPath = (stream: string) => `/api/${org}/${encodeURIComponent(stream)}/_${settings.endpoint}`
  const pathOf = (stream: string | undefined) => stream === undefined ? bulkPath : streamPath(stream)
  const actionPrefixes = new Map<string, Uint8Array>()
  const actionPrefix = (stream: string) => {
    let prefix = actionPrefixes.get(stream)
    if (prefix === undefined) actionPrefixes.set(stream, prefix = Buffer.from(`{"index":{"_index":${JSON.stringify(stream)},"_id":`, "utf8"))
    return prefix
  }
  const actionEnd = Buffer.from("}}\n", "utf8")

  /** Writes what one record adds to a body: its bulk action line (for `_bulk`), then its document as one line. */
  const write = (run: EncodedRun, o: Outgoing) => {
    if (settings.endpoint === "bulk") {
      run.encoder.raw(actionPrefix(streamOf(o)))
      run.encoder.jsonString(o.record.record_id)
      run.encoder.raw(actionEnd)
    }
    run.encoder.write(o.doc as ParsedRecord)
    run.ends.push(run.encoder.position)
  }

  /**
   * The body of the records written between `from` and `to`. A `_json` body is the same lines as an array: each
   * line's newline becomes the comma after it, the last one the closing bracket.
   */
  const bodyOf = (all: Buffer, run: EncodedRun, first: number, last: number, from: number, to: number): Buffer => {
    if (settings.endpoint !== "json") return all.subarray(from, to)
    const body = Buffer.allocUnsafe(to - from + 1)
    body[0] = OPEN_BRACKET
    all.copy(body, 1, from, to)
    for (let i = first; i <= last; i++) body[run.ends[i]! - from] = i === last ? CLOSE_BRACKET : COMMA
    return body
  }

  /** Cuts the groups (all of `_bulk`, or one per stream) into requests within the limits. */
  const cut = (groups: ReadonlyArray<readonly [string | undefined, ReadonlyArray<Outgoing>]>): Array<EncodedRequest> => {
    let records = 0
    for (const [, group] of groups) records += group.length
    const run = new EncodedRun(records)
    const spans: Array<{ stream: string | undefined; members: ReadonlyArray<Outgoing>; first: number; last: number }> = []
    let index = 0
    for (const [stream, group] of groups) {
      let members: Array<Outgoing> = []
      let first = index
      // `_json` adds one byte: the bracket before the first record (each newline becomes a comma or the last bracket).
      const overhead = settings.endpoint === "json" ? 1 : 0
      let bytes = overhead
      for (const o of group) {
        const start = run.encoder.position
        write(run, o)
        const size = run.encoder.position - start
        if (members.length > 0 && (bytes + size > settings.maxRequestBytes || members.length >= settings.maxRequestRecords)) {
          spans.push({ stream, members, first, last: index - 1 })
          members = []
          first = index
          bytes = overhead
        }
        bytes += size
        members.push(o)
        index++
      }
      if (members.length > 0) spans.push({ stream, members, first, last: index - 1 })
    }
    const all = run.bytes()
    return spans.map(({ first, last, members, stream }) => ({
      path: pathOf(stream),
      stream,
      outgoing: members,
      body: bodyOf(all, run, first, last, first === 0 ? 0 : run.ends[first - 1]!, run.ends[last]!)
    }))
  }

  const byStream = (outgoing: ReadonlyArray<Outgoing>): Map<string, Array<Outgoing>> => {
    const groups = new Map<string, Array<Outgoing>>()
    for (const o of outgoing) {
      const stream = streamOf(o)
      let group = groups.get(stream)
      if (group === undefined) groups.set(stream, group = [])
      group.push(o)
    }
    return groups
  }

  return {
    streamOf,
    requests: (outgoing) => outgoing.length === 0 ? [] : cut(settings.endpoint === "bulk" ? [[undefined, outgoing]] : [...byStream(outgoing)]),
    request: (outgoing) => {
      const stream = settings.endpoint === "bulk" || outgoing.length === 0 ? undefined : streamOf(outgoing[0]!)
      if (outgoing.length === 0) return { path: pathOf(stream), stream, outgoing, body: Buffer.from(settings.endpoint === "json" ? "[]" : "") }
      const run = new EncodedRun(outgoing.length)
      for (const o of outgoing) write(run, o)
      const all = run.bytes()
      return { path: pathOf(stream), stream, outgoing, body: bodyOf(all, run, 0, outgoing.length - 1, 0, all.length) }
    }
  }
}
