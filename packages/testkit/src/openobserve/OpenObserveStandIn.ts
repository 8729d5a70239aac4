/**
 * An HTTP server that ingests like OpenObserve, for tests, benchmarks and the demo: `POST /api/{org}/{stream}/_json`,
 * `/_multi`, `POST /api/{org}/_bulk`, `GET /healthz`; Basic auth; gzip or zstd request bodies; answers in
 * OpenObserve's formats (per-stream `successful`/`failed` counts, Elasticsearch-style bulk items with 422 for
 * failed records); the ingestion window and stream-name rules; 413 above a body size. Faults are injected on demand
 * (see StandInFault). Everything it accepted stays queryable, through the service or `GET /_standin/records`.
 *
 * Built on node:http rather than an Effect router because faults such as connection resets need the raw socket.
 */
import * as NodeHttp from "node:http"
import type { AddressInfo } from "node:net"
import * as NodeZlib from "node:zlib"
import { Context, Effect, Layer, Predicate } from "effect"
import { admitTimestamp, formatStreamName, type IngestWindow } from "./IngestRules.ts"
import type { StandInFault } from "./StandInFault.ts"

export interface StoredRecord {
  readonly org: string
  readonly stream: string
  readonly record: Readonly<Record<string, unknown>>
}

export type IngestEndpoint = "_json" | "_multi" | "_bulk"

export interface RequestLog {
  readonly endpoint: IngestEndpoint
  readonly org: string
  /** The stream named in the path (`_json`, `_multi`); undefined for `_bulk`. */
  readonly stream: string | undefined
  readonly status: number
  readonly contentEncoding: string
  /** Body bytes as received (compressed when the client compressed). */
  readonly bodyBytes: number
  readonly decodedBytes: number
  /** Records stored by this request. */
  readonly stored: number
  readonly failed: number
  readonly fault: StandInFault["_tag"] | undefined
  /** False when the client never received the answer (reset after processing, or it gave up on a slow answer). */
  readonly answered: boolean
  /** `record_id` of each record this request stored (kept only when the stand-in keeps records). */
  readonly storedIds: ReadonlyArray<string>
}

/** Decides whether OpenObserve would refuse one record (a schema conflict, a column limit...): the reason, or undefined. */
export type RecordRejector = (record: Readonly<Record<string, unknown>>, stream: string) => string | undefined

export interface StandInOptions {
  /** Bind address; 127.0.0.1 unless told. */
  readonly host?: string
  /** 0 (an ephemeral port) unless told. */
  readonly port?: number
  readonly user?: string
  readonly password?: string
  /** Ingestion window; OpenObserve's defaults (5 h back, 24 h ahead) unless told. */
  readonly window?: IngestWindow
  /** `ZO_PAYLOAD_LIMIT`: 413 above this many decoded body bytes; 200 MiB unless told. */
  readonly maxBodyBytes?: number
  /** `ZO_BULK_RESPONSE_INCLUDE_ERRORS_ONLY=true`: bulk answers list only the failed items. */
  readonly bulkErrorsOnly?: boolean
  /** The `Retry-After` (seconds) of a 503 or 429 fault that does not set its own; 1, as OpenObserve sends. */
  readonly retryAfterSeconds?: number
  /** "records" keeps every accepted record (default); "count" keeps only counts, for benchmarks. */
  readonly keep?: "records" | "count"
  /** Epoch milliseconds used for the ingestion window; the wall clock unless told. */
  readonly now?: () => number
  /** Every ingestion answer waits this long once the request is processed, as a remote OpenObserve's network and
   * storage add (benchmarks); none unless told. */
  readonly answerDelayMs?: number
  /** false: zstd bodies get 415, as OpenObserve releases between its move to Axum and the fix of 2026-08 answer. */
  readonly acceptZstd?: boolean
}

export const DEFAULT_STAND_IN_USER = "root@example.com"
export const DEFAULT_STAND_IN_PASSWORD = "Complexpass#123"

export class OpenObserveStandIn extends Context.Service<OpenObserveStandIn, {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly user: string
  readonly password: string
  /** Queues faults; each is spent on one ingestion request, in order. */
  readonly inject: (...faults: ReadonlyArray<StandInFault>) => Effect.Effect<void>
  /** Faults queued and not yet spent. */
  readonly pendingFaults: Effect.Effect<number>
  readonly setMaxBodyBytes: (bytes: number) => Effect.Effect<void>
  readonly setRecordRejector: (rejector: RecordRejector | undefined) => Effect.Effect<void>
  readonly setWindow: (window: IngestWindow) => Effect.Effect<void>
  /** Every record accepted so far (all streams, or one), as stored: `_timestamp` normalised to microseconds. */
  readonly accepted: (stream?: string) => Effect.Effect<ReadonlyArray<StoredRecord>>
  /** How many records each stream accepted. */
  readonly acceptedCounts: Effect.Effect<ReadonlyMap<string, number>>
  readonly requests: Effect.Effect<ReadonlyArray<RequestLog>>
  /** Requests being handled right now (a slow answer still pending counts): wait for 0 before reading the log. */
  readonly inFlight: Effect.Effect<number>
  /** Forgets accepted records, the request log and queued faults. */
  readonly clear: Effect.Effect<void>
}>()("aurora-logs/testkit/OpenObserveStandIn") {
  /** A stand-in on 127.0.0.1 and an ephemeral port, closed with the layer's scope. */
  static readonly layer = (options: StandInOptions = {}) => Layer.effect(OpenObserveStandIn, make(options))
}

const STREAM_ROUTE = /^\/api\/([^/]+)\/([^/]+)\/(_json|_multi)\/?$/
const BULK_ROUTE = /^\/api\/([^/]+)\/_bulk\/?$/
const BULK_ACTIONS = ["index", "create", "update"] as const

interface Answer {
  readonly status: number
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
}

interface Outcome {
  readonly stored: Array<StoredRecord>
  readonly failed: number
  readonly answer: Answer
}

const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): Answer =>
  headers === undefined ? { status, body } : { status, body, headers }

const errorAnswer = (status: number, message: string, headers?: Readonly<Record<string, string>>): Answer =>
  json(status, { code: status, message }, headers)

const readBody = (request: NodeHttp.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
    request.on("error", reject)
  })

const decode = (body: Buffer, encoding: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const done = (error: Error | null, out: Buffer) => (error === null ? resolve(out) : reject(error))
    if (encoding === "" || encoding === "identity") resolve(body)
    else if (encoding === "gzip") NodeZlib.gunzip(body, done)
    else if (encoding === "zstd") NodeZlib.zstdDecompress(body, done)
    else if (encoding === "deflate") NodeZlib.inflate(body, done)
    else reject(new Error(`unsupported Content-Encoding: ${encoding}`))
  })

const isObject = Predicate.isObject

const make = (options: StandInOptions) =>
  Effect.gen(function*() {
    const user = options.user ?? DEFAULT_STAND_IN_USER
    const password = options.password ?? DEFAULT_STAND_IN_PASSWORD
    const expectedAuth = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`
    const keepRecords = (options.keep ?? "records") === "records"
    const now = options.now ?? Date.now
    const defaultRetryAfter = options.retryAfterSeconds ?? 1
    let window: IngestWindow = options.window ?? { allowedUptoHours: 5, allowedInFutureHours: 24 }
    let maxBodyBytes = options.maxBodyBytes ?? 200 * 1024 * 1024
    let rejector: RecordRejector | undefined
    let faults: Array<StandInFault> = []
    let stored: Array<StoredRecord> = []
    let counts = new Map<string, number>()
    let log: Array<RequestLog> = []
    let inFlight = 0

    const ingestOne = (
      org: string,
      stream: string,
      value: unknown,
      nowMicros: number,
      docId: string | undefined
    ): { readonly ok: true; readonly record: StoredRecord } | { readonly ok: false; readonly type: string; readonly error: string } => {
      if (!isObject(value)) return { ok: false, type: "document_failed_transform", error: "apply functions failure" }
      const admitted = admitTimestamp(value, nowMicros, window)
      if (!admitted.ok) return { ok: false, type: "timestamp_parsing_failed", error: admitted.error }
      const refusal = rejector?.(value, stream)
      if (refusal !== undefined) return { ok: false, type: "schema_conformance_failed", error: refusal }
      // Counting only (benchmarks): no copy of a record that is not kept.
      if (!keepRecords) return { ok: true, record: { org, stream, record: value } }
      const record: Record<string, unknown> = { ...value, _timestamp: admitted.micros }
      if ("@timestamp" in record) delete record["@timestamp"]
      if (docId !== undefined && docId !== "") record["_id"] = docId
      return { ok: true, record: { org, stream, record } }
    }

    const ingestStream = (org: string, pathStream: string, body: Buffer, endpoint: "_json" | "_multi"): Outcome => {
      const stream = formatStreamName(pathStream)
      let values: Array<unknown>
      try {
        if (endpoint === "_json") {
          const parsed: unknown = JSON.parse(body.toString("utf8"))
          values = Array.isArray(parsed) ? parsed : [parsed]
        } else {
          values = []
          for (const line of body.toString("utf8").split("\n")) if (line.trim() !== "") values.push(JSON.parse(line))
        }
      } catch (error) {
        return { stored: [], failed: 0, answer: errorAnswer(400, `Failed processing: ${String(error)}`) }
      }
      const nowMicros = now() * 1000
      const accepted: Array<StoredRecord> = []
      let failed = 0
      let lastError = ""
      for (const value of values) {
        const result = ingestOne(org, stream, value, nowMicros, undefined)
        if (result.ok) accepted.push(result.record)
        else {
          failed++
          lastError = result.error
        }
      }
      const status: Record<string, unknown> = { name: stream, successful: accepted.length, failed }
      if (lastError !== "") status["error"] = lastError
      return { stored: accepted, failed, answer: json(200, { code: 200, status: [status] }) }
    }

    const ingestBulk = (org: string, body: Buffer, started: number): Outcome => {
      const lines = body.toString("utf8").split("\n")
      const nowMicros = now() * 1000
      const accepted: Array<StoredRecord> = []
      const items: Array<Record<string, unknown>> = []
      let failed = 0
      let action: string | undefined
      let stream = ""
      let docId = ""
      try {
        for (const line of lines) {
          if (line.trim() === "") continue
          const value: unknown = JSON.parse(line)
          if (action === undefined) {
            const meta = isObject(value) ? BULK_ACTIONS.find((a) => isObject(value[a])) : undefined
            if (meta === undefined || !isObject(value)) continue
            const target = value[meta] as Record<string, unknown>
            action = meta
            stream = formatStreamName(String(target["_index"] ?? ""))
            docId = typeof target["_id"] === "string" ? target["_id"] : ""
            continue
          }
          const result = ingestOne(org, stream, value, nowMicros, docId)
          if (result.ok) {
            accepted.push(result.record)
            if (options.bulkErrorsOnly !== true) {
              items.push({
                [action]: {
                  _index: stream,
                  _id: docId,
                  _version: 1,
                  result: "created",
                  _shards: { total: 1, successful: 1, failed: 0 },
                  _seq_no: 1,
                  _primary_term: 1,
                  status: 200
                }
              })
            }
          } else {
            failed++
            items.push({
              [action]: {
                _index: stream,
                _id: docId,
                status: 422,
                error: { type: result.type, reason: result.error, index_uuid: "", shard: "1", index: stream },
                originalRecord: value
              }
            })
          }
          action = undefined
        }
      } catch (error) {
        return { stored: [], failed: 0, answer: errorAnswer(400, `Failed processing: ${String(error)}`) }
      }
      return {
        stored: accepted,
        failed,
        answer: json(200, { took: Date.now() - started, errors: failed > 0, items })
      }
    }

    const keep = (records: ReadonlyArray<StoredRecord>) => {
      for (const r of records) {
        counts.set(r.stream, (counts.get(r.stream) ?? 0) + 1)
        if (keepRecords) stored.push(r)
      }
    }

    const send = (response: NodeHttp.ServerResponse, answer: Answer) => {
      const text = JSON.stringify(answer.body)
      response.writeHead(answer.status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
        ...answer.headers
      })
      response.end(text)
    }

    const serveStandInQuery = (url: URL, response: NodeHttp.ServerResponse) => {
      const stream = url.searchParams.get("stream")
      const lines = stored.filter((r) => stream === null || r.stream === stream).map((r) => JSON.stringify(r.record))
      response.writeHead(200, { "content-type": "application/x-ndjson" })
      response.end(lines.length === 0 ? "" : lines.join("\n") + "\n")
    }

    const handle = async (request: NodeHttp.IncomingMessage, response: NodeHttp.ServerResponse): Promise<void> => {
      const started = Date.now()
      const url = new URL(request.url ?? "/", "http://stand-in")
      if (request.method === "GET" && url.pathname === "/healthz") return send(response, json(200, { status: "ok" }))
      if (request.method === "GET" && url.pathname === "/_standin/records") return serveStandInQuery(url, response)
      const streamRoute = STREAM_ROUTE.exec(url.pathname)
      const bulkRoute = BULK_ROUTE.exec(url.pathname)
      if (request.method !== "POST" || (streamRoute === null && bulkRoute === null)) {
        await readBody(request).catch(() => undefined)
        return send(response, errorAnswer(404, "Not Found"))
      }
      const endpoint: IngestEndpoint = streamRoute !== null ? (streamRoute[3] as "_json" | "_multi") : "_bulk"
      const org = decodeURIComponent((streamRoute ?? bulkRoute)![1]!)
      const pathStream = streamRoute === null ? undefined : decodeURIComponent(streamRoute[2]!)
      const contentEncoding = String(request.headers["content-encoding"] ?? "").toLowerCase()
      const fault = faults.shift()
      const entry = (status: number, bodyBytes: number, decodedBytes: number, outcome: Outcome | undefined, answered: boolean) =>
        log.push({
          endpoint,
          org,
          stream: pathStream === undefined ? undefined : formatStreamName(pathStream),
          status,
          contentEncoding,
          bodyBytes,
          decodedBytes,
          stored: outcome?.stored.length ?? 0,
          failed: outcome?.failed ?? 0,
          fault: fault?._tag,
          answered,
          storedIds: keepRecords && outcome !== undefined ? outcome.stored.map((r) => String(r.record["record_id"])) : []
        })

      if (fault?._tag === "ResetBeforeProcessing") {
        entry(0, 0, 0, undefined, false)
        request.socket.destroy()
        return
      }
      const body = await readBody(request)
      if (request.headers["authorization"] !== expectedAuth) {
        entry(401, body.length, 0, undefined, true)
        return send(response, errorAnswer(401, "Unauthorized Access"))
      }
      const early = fault === undefined ? undefined : faultAnswer(fault, defaultRetryAfter)
      if (early !== undefined) {
        entry(early.status, body.length, 0, undefined, true)
        return send(response, early)
      }
      if (contentEncoding === "zstd" && options.acceptZstd === false) {
        entry(415, body.length, 0, undefined, true)
        return send(response, errorAnswer(415, "Unsupported Media Type"))
      }
      let decoded: Buffer
      try {
        decoded = body.length > maxBodyBytes ? body : await decode(body, contentEncoding)
      } catch (error) {
        entry(400, body.length, 0, undefined, true)
        return send(response, errorAnswer(400, `Failed to decompress the body: ${String(error)}`))
      }
      if (decoded.length > maxBodyBytes) {
        entry(413, body.length, decoded.length, undefined, true)
        return send(response, errorAnswer(413, `payload too large: ${decoded.length} bytes over the ${maxBodyBytes} limit`))
      }
      const outcome = endpoint === "_bulk"
        ? ingestBulk(org, decoded, started)
        : ingestStream(org, pathStream!, decoded, endpoint)
      keep(outcome.stored)

      if (fault?._tag === "ResetAfterProcessing") {
        entry(outcome.answer.status, body.length, decoded.length, outcome, false)
        request.socket.destroy()
        return
      }
      const delayMs = (fault?._tag === "Slow" ? fault.delayMs : 0) + (options.answerDelayMs ?? 0)
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
      const answered = !response.destroyed && !request.socket.destroyed
      entry(outcome.answer.status, body.length, decoded.length, outcome, answered)
      if (answered) send(response, outcome.answer)
    }

    const server = yield* Effect.acquireRelease(
      Effect.callback<NodeHttp.Server, Error>((resume) => {
        const server = NodeHttp.createServer((request, response) => {
          inFlight++
          handle(request, response)
            .catch((error) => {
              if (!response.headersSent && !response.destroyed) send(response, errorAnswer(500, String(error)))
            })
            .finally(() => inFlight--)
        })
        // Longer than clients' idle timeouts (undici: 4 s), so idle sockets are closed by the client and no request
        // races a socket the stand-in is closing (that would look like a connection-reset fault).
        server.keepAliveTimeout = 60_000
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resume(Effect.succeed(server)))
      }).pipe(Effect.orDie),
      (server) =>
        Effect.callback<void>((resume) => {
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const address = server.address() as AddressInfo

    return OpenObserveStandIn.of({
      url: `http://${address.address}:${address.port}`,
      user,
      password,
      inject: (...more) => Effect.sync(() => void faults.push(...more)),
      pendingFaults: Effect.sync(() => faults.length),
      setMaxBodyBytes: (bytes) => Effect.sync(() => void (maxBodyBytes = bytes)),
      setRecordRejector: (next) => Effect.sync(() => void (rejector = next)),
      setWindow: (next) => Effect.sync(() => void (window = next)),
      accepted: (stream) => Effect.sync(() => (stream === undefined ? stored.slice() : stored.filter((r) => r.stream === stream))),
      acceptedCounts: Effect.sync(() => new Map(counts)),
      requests: Effect.sync(() => log.slice()),
      inFlight: Effect.sync(() => inFlight),
      clear: Effect.sync(() => {
        stored = []
        counts = new Map()
        log = []
        faults = []
      })
    })
  })

const faultAnswer = (fault: StandInFault, defaultRetryAfter: number): Answer | undefined => {
  switch (fault._tag) {
    case "Unavailable":
      return errorAnswer(503, "MemoryTableOverflowError: memtable is full, please retry later", {
        "retry-after": String(fault.retryAfterSeconds ?? defaultRetryAfter)
      })
    case "TooManyRequests":
      return errorAnswer(429, "Too Many Requests", { "retry-after": String(fault.retryAfterSeconds ?? defaultRetryAfter) })
    case "ServerError":
      return errorAnswer(fault.status ?? 500, "Internal Server Error")
    case "ClientError":
      return errorAnswer(fault.status ?? 400, fault.message ?? "Bad Request")
    default:
      return undefined
  }
}
