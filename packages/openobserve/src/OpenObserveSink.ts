/**
 * The LogSink that ships records to OpenObserve over HTTP (effect/http on undici).
 *
 * `ship` returns once every record was accepted or refused for good: refused ones come back with the reason, for the
 * dead-letter path. On the way: records outside the ingestion window are handled before sending (IngestionWindow);
 * requests are cut by bytes and records, compressed, and sent a few at a time; per-record failures inside a 200 are
 * read and the failed records sent once more on their own; 413 splits the request; 429/503 wait as asked
 * (`Retry-After`); 5xx, timeouts and connection failures are retried with capped, jittered exponential backoff; other
 * 4xx refuse the request's records; a circuit breaker stops traffic to a server that keeps failing. While it waits,
 * `ship` does not return, so the pipeline stops reading instead of buffering.
 */
import { LogSink, type LogRecord, type Rejected, SinkError, SinkUnavailable } from "@aurora-logs/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Clock, Config, Duration, Effect, Layer, Metric, Option, Random, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { backoffMillis } from "./Backoff.ts"
import { makeCircuitBreaker } from "./CircuitBreaker.ts"
import { makeCompressor } from "./Compression.ts"
import { type IngestVerdict, readIngestAnswerBytes } from "./IngestAnswer.ts"
import { makeIngestionWindow, type Outgoing } from "./IngestionWindow.ts"
import { type Credentials, type OpenObserveSettings, optionalSettingsConfig, settingsConfig } from "./OpenObserveSettings.ts"
import { type EncodedRequest, makeRequestEncoder } from "./RequestBody.ts"

const recordsShipped = Metric.counter("aurora_logs_openobserve_records", {
  description: "Records the OpenObserve sink finished with, by outcome (accepted, rejected, moved_to_ingest_time)",
  incremental: true
})
const requestsSent = Metric.counter("aurora_logs_openobserve_requests", {
  description: "Ingestion requests sent to OpenObserve, by answer (HTTP status, timeout or transport)",
  incremental: true
})
const bytesSent = Metric.counter("aurora_logs_openobserve_bytes", {
  description: "Request body bytes, uncompressed (raw) and as sent (wire)",
  incremental: true
})
const retries = Metric.counter("aurora_logs_openobserve_retries", {
  description: "Requests sent again after a retryable failure",
  incremental: true
})

/** The sink's counters, for a metrics endpoint or a test. */
export const metrics = { recordsShipped, requestsSent, bytesSent, retries } as const

const count = (metric: Metric.Metric<number, unknown>, n: number, attributes: Record<string, string>) =>
  n === 0 ? Effect.void : Metric.update(Metric.withAttributes(metric, attributes), n)

const authorization = (credentials: Credentials | undefined): string | undefined => {
  if (credentials === undefined) return undefined
  if (credentials._tag === "Token") {
    const token = Redacted.value(credentials.token).trim()
    return /^(basic|bearer) /i.test(token) ? token : `Basic ${token}`
  }
  return `Basic ${Buffer.from(`${credentials.user}:${Redacted.value(credentials.password)}`).toString("base64")}`
}

/** The transport failure in words: the error's own message plus what the socket said (ECONNRESET, ...). */
const transportCause = (error: { readonly message: string; readonly reason?: unknown }): string => {
  const reason = error.reason as { readonly cause?: unknown; readonly description?: string } | undefined
  const cause = reason?.cause
  const detail = reason?.description ??
    (cause instanceof Error ? [cause.message, (cause as { cause?: { code?: string } }).cause?.code].filter(Boolean).join(" ") : undefined)
  return detail === undefined || detail === "" ? error.message : `${error.message}: ${detail}`
}

interface Answer {
  readonly status: number
  readonly retryAfter: string | undefined
  /** As it came: decoded only as far as needed (readIngestAnswerBytes). */
  readonly body: Uint8Array
}

/** A request that got no answer. */
interface NoAnswer {
  readonly kind: "timeout" | "transport"
  readonly message: string
}

/** Builds the sink on a given HttpClient. */
export const make = (settings: OpenObserveSettings) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const window = makeIngestionWindow(settings)
    const encoder = makeRequestEncoder(settings)
    // OpenObserve releases between its move to Axum and the fix of 2026-08 answer 415 to zstd bodies (only gzip,
    // deflate and brotli were built in): the first 415 to a zstd body turns the sink to gzip for good.
    let compressor = makeCompressor(settings.compression, settings.compressionLevel)
    const breaker = yield* makeCircuitBreaker(settings)
    const base = settings.url.replace(/\/+$/, "")
    const headers: Record<string, string> = {
      "content-type": settings.endpoint === "json" ? "application/json" : "application/x-ndjson"
    }
    const auth = authorization(settings.credentials)
    if (auth !== undefined) headers["authorization"] = auth

    const post = (path: string, body: Uint8Array, contentEncoding: string | undefined): Effect.Effect<Answer, NoAnswer> =>
      client.execute(HttpClientRequest.post(base + path).pipe(
        HttpClientRequest.setHeaders(headers),
        (r) => (contentEncoding === undefined ? r : HttpClientRequest.setHeader(r, "content-encoding", contentEncoding)),
        HttpClientRequest.bodyUint8Array(body, headers["content-type"])
      )).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.arrayBuffer, (body): Answer => ({ status: response.status, retryAfter: response.headers["retry-after"], body: new Uint8Array(body) }))
        ),
        Effect.timeout(settings.requestTimeout),
        Effect.mapError((error): NoAnswer =>
          error._tag === "TimeoutError"
            ? { kind: "timeout", message: `no answer within ${Duration.format(settings.requestTimeout)} (OPENOBSERVE_REQUEST_TIMEOUT)` }
            : { kind: "transport", message: `request failed: ${transportCause(error)}` }
        )
      )

    /** Sends `request` until OpenObserve gives an answer that is not "try again". */
    const sendUntilAnswered = Effect.fnUntraced(function*(request: EncodedRequest) {
      let sentWith = compressor
      let wire = yield* sentWith.compress(request.body)
      yield* count(bytesSent, request.body.length, { kind: "raw" })
      let attempt = 0
      while (true) {
        attempt++
        yield* breaker.admit
        // An interrupted probe must not leave the circuit waiting for an outcome that never comes.
        const answered = yield* Effect.result(post(request.path, wire, sentWith.contentEncoding)).pipe(Effect.onInterrupt(() => breaker.neutral))
        yield* count(bytesSent, wire.length, { kind: "wire" })
        if (answered._tag === "Success" && answered.success.status === 415 && sentWith.contentEncoding === "zstd") {
          yield* count(requestsSent, 1, { answer: "415" })
          yield* breaker.neutral
          if (compressor === sentWith) {
            compressor = makeCompressor("gzip", settings.compressionLevel)
            yield* Effect.logWarning("OpenObserve does not take zstd request bodies (415): gzip from now on (set OPENOBSERVE_COMPRESSION=gzip for it)", {
              answer: Buffer.from(answered.success.body.subarray(0, 200)).toString("utf8")
            })
          }
          // Sent again at once, in the encoding that works: not an attempt that failed.
          sentWith = compressor
          wire = yield* sentWith.compress(request.body)
          attempt--
          continue
        }
        const now = yield* Clock.currentTimeMillis
        const verdict: IngestVerdict = answered._tag === "Success"
          ? readIngestAnswerBytes(settings.endpoint, request, answered.success.status, answered.success.retryAfter, answered.success.body, now)
          : { _tag: "Retry", message: answered.failure.message, retryAfterMs: undefined, unhealthy: true }
        yield* count(requestsSent, 1, { answer: answered._tag === "Success" ? String(answered.success.status) : answered.failure.kind })
        if (verdict._tag !== "Retry") {
          yield* breaker.success
          return verdict
        }
        yield* verdict.unhealthy ? breaker.failure : breaker.neutral
        if (settings.maxAttempts > 0 && attempt >= settings.maxAttempts) {
          return yield* new SinkError({
            reason: new SinkUnavailable({
              message: `${verdict.message} (gave up after ${attempt} attempts, OPENOBSERVE_RETRY_MAX_ATTEMPTS)`,
              ...(verdict.retryAfterMs === undefined ? {} : { retryAfterMs: verdict.retryAfterMs })
            })
          })
        }
        const delay = backoffMillis(settings, attempt, yield* Random.next, verdict.retryAfterMs)
        yield* Effect.logWarning("OpenObserve request will be sent again", {
          path: request.path,
          records: request.outgoing.length,
          attempt,
          wait_ms: delay,
          cause: verdict.message
        })
        yield* count(retries, 1, {})
        yield* Effect.sleep(Duration.millis(delay))
      }
    })

    const refuse = (outgoing: ReadonlyArray<Outgoing>, reason: string): Array<Rejected> =>
      outgoing.map((o) => ({ record: o.record, reason }))

    /** Outgoing documents for records sent again later: the window is applied anew (time has passed). */
    const again = Effect.fnUntraced(function*(records: ReadonlyArray<LogRecord>) {
      return window(records, yield* Clock.currentTimeMillis)
    })

    /**
     * Delivers one request; returns the records refused for good. `retrying` is set for records that already
     * failed once on their own: they are not sent a third time.
     */
    const deliver = (request: EncodedRequest, retrying: boolean): Effect.Effect<Array<Rejected>, SinkError> =>
      Effect.gen(function*() {
        const verdict = yield* sendUntilAnswered(request)
        switch (verdict._tag) {
          case "Accepted":
            if (verdict.warning !== undefined) yield* Effect.logWarning("odd answer from OpenObserve", { path: request.path, warning: verdict.warning })
            return []
          case "Refused":
            yield* Effect.logError("OpenObserve refused a request: its records go to the dead-letter path", {
              path: request.path,
              records: request.outgoing.length,
              cause: verdict.message
            })
            return refuse(request.outgoing, verdict.message)
          case "TooLarge": {
            if (request.outgoing.length === 1) {
              return refuse(request.outgoing, `larger than OpenObserve's payload limit (ZO_PAYLOAD_LIMIT): ${verdict.message}`)
            }
            const half = Math.ceil(request.outgoing.length / 2)
            const [first, second] = [request.outgoing.slice(0, half), request.outgoing.slice(half)]
            const a = yield* deliver(encoder.request(first), retrying)
            const b = yield* deliver(encoder.request(second), retrying)
            return a.concat(b)
          }
          case "SomeFailed": {
            const failed = verdict.failures.map((f) => request.outgoing[f.index]!)
            if (retrying) return verdict.failures.map((f) => ({ record: request.outgoing[f.index]!.record, reason: f.reason }))
            const retry = yield* again(failed.map((o) => o.record))
            const alone = retry.outgoing.length === 0 ? [] : yield* deliverAll(encoder.requests(retry.outgoing), true)
            return retry.refused.concat(alone)
          }
          case "Unattributed": {
            yield* Effect.logWarning(
              "OpenObserve refused records without saying which: each record of the request is sent again alone " +
                "(those it had accepted may be stored twice, with the same record_id; the bulk endpoint avoids this)",
              { path: request.path, records: request.outgoing.length, failed: verdict.failed, cause: verdict.reason }
            )
            const retry = yield* again(request.outgoing.map((o) => o.record))
            const alone = yield* deliverAll(retry.outgoing.map((o) => encoder.request([o])), true)
            return retry.refused.concat(alone)
          }
        }
      })

    const deliverAll = (requests: ReadonlyArray<EncodedRequest>, retrying: boolean) =>
      Effect.map(
        Effect.forEach(requests, (r) => deliver(r, retrying), { concurrency: settings.concurrency }),
        (lists) => lists.flat()
      )

    const ship = Effect.fn("OpenObserveSink.ship")(function*(records: ReadonlyArray<LogRecord>) {
      if (records.length === 0) return { rejected: [] }
      const sorted = window(records, yield* Clock.currentTimeMillis)
      const requests = encoder.requests(sorted.outgoing)
      yield* Effect.annotateCurrentSpan({ records: records.length, requests: requests.length })
      const refused = yield* deliverAll(requests, false)
      const rejected = sorted.refused.concat(refused)
      yield* count(recordsShipped, records.length - rejected.length, { outcome: "accepted" })
      yield* count(recordsShipped, rejected.length, { outcome: "rejected" })
      yield* count(recordsShipped, sorted.moved, { outcome: "moved_to_ingest_time" })
      if (sorted.moved > 0) {
        yield* Effect.logInfo("records older than the ingestion window shipped at the ingest time (original_timestamp keeps theirs)", {
          records: sorted.moved
        })
      }
      if (rejected.length > 0) {
        yield* Effect.logWarning("records refused for good go to the dead-letter path", {
          records: rejected.length,
          first_reason: rejected[0]!.reason
        })
      }
      return { rejected }
    })

    return LogSink.of({ ship })
  })

/** The sink with its own undici connection pool. */
export const layer = (settings: OpenObserveSettings): Layer.Layer<LogSink> =>
  Layer.effect(LogSink, make(settings)).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** The sink configured from `OPENOBSERVE_*` (fails naming the variable when one is missing or malformed). */
export const layerConfig: Layer.Layer<LogSink, Config.ConfigError> = Layer.unwrap(Effect.map(settingsConfig, layer))

/**
 * The OpenObserve sink when `OPENOBSERVE_URL` is set, `otherwise` when it is not (the one-process modes fall back to
 * NDJSON files). Malformed `OPENOBSERVE_*` settings still fail.
 */
export const layerConfigOr = <E, R>(otherwise: Layer.Layer<LogSink, E, R>): Layer.Layer<LogSink, E | Config.ConfigError, R> =>
  Layer.unwrap(Effect.map(optionalSettingsConfig, Option.match({ onNone: () => otherwise, onSome: layer })))
