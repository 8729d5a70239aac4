/**
 * Turns records into OpenObserve ingestion requests: `_bulk` (an action line naming the stream and the record's
 * `record_id` as `_id`, then the document), `_multi` (NDJSON, one stream per request) or `_json` (a JSON array, one
 * stream per request), each request within the byte and record limits. Plain string building: this runs for every
 * record shipped.
 */
import { makeStreamNamer } from "@aurora-logs/core"
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

export const makeRequestEncoder = (settings: RequestSettings): RequestEncoder => {
  const namer = makeStreamNamer(settings.streamTemplate)
  const streamOf = (o: Outgoing) => namer(o.record)
  const org = encodeURIComponent(settings.org)
  const bulkPath = `/api/${org}/_bulk`
  const streamPath = (stream: string) => `/api/${org}/${encodeURIComponent(stream)}/_${settings.endpoint}`
  const actionPrefixes = new Map<string, string>()
  const actionPrefix = (stream: string) => {
    let prefix = actionPrefixes.get(stream)
    if (prefix === undefined) actionPrefixes.set(stream, prefix = `{"index":{"_index":${JSON.stringify(stream)},"_id":`)
    return prefix
  }

  /** The text one record adds to a request body. */
  const piece = (o: Outgoing): string => {
    const doc = JSON.stringify(o.doc)
    return settings.endpoint === "bulk"
      ? `${actionPrefix(streamOf(o))}${JSON.stringify(o.record.record_id)}}}\n${doc}\n`
      : settings.endpoint === "multi"
      ? `${doc}\n`
      : doc
  }

  const assemble = (pieces: Array<string>): Buffer =>
    Buffer.from(settings.endpoint === "json" ? `[${pieces.join(",")}]` : pieces.join(""), "utf8")

  const pathOf = (stream: string | undefined) => stream === undefined ? bulkPath : streamPath(stream)

  /** Cuts one group (all of `_bulk`, or one stream) into requests within the limits. */
  const cut = (group: ReadonlyArray<Outgoing>, stream: string | undefined, into: Array<EncodedRequest>) => {
    const path = pathOf(stream)
    // `_json` adds the brackets and one comma per record after the first.
    const overhead = settings.endpoint === "json" ? 2 : 0
    const separator = settings.endpoint === "json" ? 1 : 0
    let pieces: Array<string> = []
    let members: Array<Outgoing> = []
    let bytes = overhead
    for (const o of group) {
      const text = piece(o)
      const size = Buffer.byteLength(text, "utf8")
      if (pieces.length > 0 && (bytes + separator + size > settings.maxRequestBytes || pieces.length >= settings.maxRequestRecords)) {
        into.push({ path, stream, outgoing: members, body: assemble(pieces) })
        pieces = []
        members = []
        bytes = overhead
      }
      bytes += (pieces.length === 0 ? 0 : separator) + size
      pieces.push(text)
      members.push(o)
    }
    if (pieces.length > 0) into.push({ path, stream, outgoing: members, body: assemble(pieces) })
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
    requests: (outgoing) => {
      const out: Array<EncodedRequest> = []
      if (settings.endpoint === "bulk") cut(outgoing, undefined, out)
      else for (const [stream, group] of byStream(outgoing)) cut(group, stream, out)
      return out
    },
    request: (outgoing) => {
      const stream = settings.endpoint === "bulk" || outgoing.length === 0 ? undefined : streamOf(outgoing[0]!)
      return { path: pathOf(stream), stream, outgoing, body: assemble(outgoing.map(piece)) }
    }
  }
}
