import { LogSink, type LogRecord, type ShipResult } from "@aurora-logs/core"
import { OpenObserveStandIn, type StandInOptions } from "@aurora-logs/testkit/openobserve/OpenObserveStandIn"
import { sampleRecord, sampleRecords } from "@aurora-logs/testkit/openobserve/SampleRecords"
import { StandInFault } from "@aurora-logs/testkit/openobserve/StandInFault"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Fiber, Layer, Metric, Redacted, References, Ref } from "effect"
import { makeSettings, type OpenObserveSettings } from "./OpenObserveSettings.ts"
import * as OpenObserveSink from "./OpenObserveSink.ts"

const HOUR_US = 3_600_000_000
const nowMicros = () => Date.now() * 1000

/** Fast retries so that a test of a fault takes milliseconds, not the production backoff. */
const quick: Partial<OpenObserveSettings> = {
  retryInitialDelay: Duration.millis(2),
  retryMaxDelay: Duration.millis(20),
  breakerOpen: Duration.millis(30),
  breakerMaxOpen: Duration.millis(120),
  requestTimeout: Duration.seconds(2)
}

const sinkOnStandIn = (overrides: Partial<OpenObserveSettings>) =>
  Layer.unwrap(Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    return OpenObserveSink.layer(makeSettings(
      { url: standIn.url, credentials: { _tag: "Basic", user: standIn.user, password: Redacted.make(standIn.password) } },
      { ...quick, ...overrides }
    ))
  }))

/** The sink's warnings are expected here (every test injects faults): keep the test output readable. */
const quiet = Layer.succeed(References.MinimumLogLevel, "None")

/** A stand-in, and the sink pointed at it. */
const rig = (overrides: Partial<OpenObserveSettings> = {}, standIn: StandInOptions = {}) =>
  sinkOnStandIn(overrides).pipe(Layer.provideMerge(OpenObserveStandIn.layer({ retryAfterSeconds: 0, ...standIn })), Layer.merge(quiet))

const ship = (records: ReadonlyArray<LogRecord>) => LogSink.use((sink) => sink.ship(records))

/** How many times the stand-in stored each record_id. */
const storedTimes = Effect.gen(function*() {
  const standIn = yield* OpenObserveStandIn
  const times = new Map<string, number>()
  for (const r of yield* standIn.accepted()) {
    const id = String(r.record["record_id"])
    times.set(id, (times.get(id) ?? 0) + 1)
  }
  return times
})

/** Polls `read` until `done` holds, failing after `deadlineMs`. */
const eventually = <A, E, R>(read: Effect.Effect<A, E, R>, done: (a: A) => boolean, deadlineMs = 5000) =>
  Effect.gen(function*() {
    const until = Date.now() + deadlineMs
    while (true) {
      const value = yield* read
      if (done(value)) return value
      if (Date.now() > until) return assert.fail(`condition not met within ${deadlineMs} ms`)
      yield* Effect.sleep(Duration.millis(10))
    }
  })

const assertEachStoredOnce = (records: ReadonlyArray<LogRecord>, result: ShipResult) =>
  Effect.gen(function*() {
    assert.deepStrictEqual(result.rejected, [])
    const times = yield* storedTimes
    assert.strictEqual(times.size, records.length)
    for (const r of records) assert.strictEqual(times.get(r.record_id), 1, r.record_id)
  })

describe("OpenObserveSink against the stand-in", () => {
  it.live("ships every record to its engine/log-type stream, zstd-compressed, Basic auth, _timestamp in microseconds", () =>
    Effect.gen(function*() {
      const at = nowMicros()
      const records = sampleRecords(500, at)
      const result = yield* ship(records)
      yield* assertEachStoredOnce(records, result)
      const standIn = yield* OpenObserveStandIn
      assert.deepStrictEqual(
        [...(yield* standIn.acceptedCounts)].sort(),
        [["aurora_mysql_audit", 100], ["aurora_mysql_error", 100], ["aurora_mysql_general", 100], ["aurora_mysql_slowquery", 100], ["aurora_postgresql", 100]]
      )
      const requests = yield* standIn.requests
      assert.isTrue(requests.every((r) => r.contentEncoding === "zstd" && r.status === 200 && r.bodyBytes < r.decodedBytes / 4))
      const stored = yield* standIn.accepted("aurora_postgresql")
      assert.strictEqual(stored[0]!.record["_timestamp"], at)
      assert.deepStrictEqual({ ...stored[0]!.record, _id: undefined }, { ...records[0], _id: undefined })
    }).pipe(Effect.provide(rig())))

  for (const endpoint of ["json", "multi"] as const) {
    it.live(`the ${endpoint} endpoint ships every record once too (one request per stream)`, () =>
      Effect.gen(function*() {
        const records = sampleRecords(50, nowMicros())
        yield* assertEachStoredOnce(records, yield* ship(records))
        const requests = yield* (yield* OpenObserveStandIn).requests
        assert.strictEqual(requests.length, 5)
        assert.isTrue(requests.every((r) => r.endpoint === `_${endpoint}`))
      }).pipe(Effect.provide(rig({ endpoint }))))
  }

  it.live("an OpenObserve that answers 415 to zstd bodies gets the same request in gzip, and gzip from then on", () =>
    Effect.gen(function*() {
      const records = sampleRecords(300, nowMicros())
      yield* assertEachStoredOnce(records, yield* ship(records))
      const more = sampleRecords(100, nowMicros(), "more")
      yield* assertEachStoredOnce(records.concat(more), yield* ship(more))
      const requests = yield* (yield* OpenObserveStandIn).requests
      // Up to 4 requests were on their way in zstd when the first 415 came back.
      const refused = requests.filter((r) => r.status === 415)
      assert.isTrue(refused.length >= 1 && refused.length <= 4 && refused.every((r) => r.contentEncoding === "zstd"))
      assert.isTrue(requests.filter((r) => r.status !== 415).every((r) => r.contentEncoding === "gzip" && r.status === 200))
    }).pipe(Effect.provide(rig({ maxRequestRecords: 50 }, { acceptZstd: false }))))

  it.live("gzip compression and no compression are understood as well", () =>
    Effect.gen(function*() {
      for (const compression of ["gzip", "none"] as const) {
        const records = sampleRecords(20, nowMicros(), compression)
        const result = yield* ship(records).pipe(Effect.provide(sinkOnStandIn({ compression })))
        assert.deepStrictEqual(result.rejected, [])
      }
      const requests = yield* (yield* OpenObserveStandIn).requests
      assert.deepStrictEqual(requests.map((r) => r.contentEncoding), ["gzip", ""])
      assert.strictEqual((yield* storedTimes).size, 40)
    }).pipe(Effect.provide(OpenObserveStandIn.layer())))

  it.live("a batch larger than the request limits goes out as several requests", () =>
    Effect.gen(function*() {
      const records = sampleRecords(1000, nowMicros())
      yield* assertEachStoredOnce(records, yield* ship(records))
      const requests = yield* (yield* OpenObserveStandIn).requests
      assert.isAtLeast(requests.length, 8)
      assert.isTrue(requests.every((r) => r.stored <= 120 && (r.decodedBytes <= 40_000 || r.stored === 1)))
    }).pipe(Effect.provide(rig({ maxRequestBytes: 40_000, maxRequestRecords: 120 }))))

  it.live("503 with Retry-After is waited out as asked, then the batch is stored once", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(StandInFault.unavailable(1))
      const records = sampleRecords(30, nowMicros())
      const started = Date.now()
      const result = yield* ship(records)
      assert.isAtLeast(Date.now() - started, 1000, "waited the second Retry-After asked for")
      yield* assertEachStoredOnce(records, result)
      assert.deepStrictEqual((yield* standIn.requests).map((r) => r.status), [503, 200])
    }).pipe(Effect.provide(rig())))

  it.live("429 is retried after Retry-After; 5xx and connections reset before processing are retried with backoff", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(
        StandInFault.tooManyRequests(0),
        StandInFault.serverError(500),
        StandInFault.serverError(502),
        StandInFault.resetBeforeProcessing,
        StandInFault.serverError(504)
      )
      const records = sampleRecords(40, nowMicros())
      yield* assertEachStoredOnce(records, yield* ship(records))
      assert.deepStrictEqual((yield* standIn.requests).map((r) => r.status), [429, 500, 502, 0, 504, 200])
    }).pipe(Effect.provide(rig({ breakerThreshold: 10 }))))

  it.live("an answer lost after OpenObserve stored the batch (reset, or slower than the timeout) is the one way to store twice", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(StandInFault.resetAfterProcessing, StandInFault.slow(1300))
      const records = sampleRecords(25, nowMicros())
      const result = yield* ship(records)
      assert.deepStrictEqual(result.rejected, [])
      // The slow request is logged when its late answer is due, after ship has already moved on.
      const requests = yield* eventually(standIn.requests, (log) => log.length === 3)
      assert.deepStrictEqual(
        requests.map((r) => `${r.fault ?? "none"}:${r.answered}`).sort(),
        ["ResetAfterProcessing:false", "Slow:false", "none:true"]
      )
      const times = yield* storedTimes
      for (const r of records) assert.strictEqual(times.get(r.record_id), 3, "stored by each of the three requests, same record_id")
    }).pipe(Effect.provide(rig({ requestTimeout: Duration.millis(1000) }))))

  it.live("413 splits the request until each part fits; a record alone over the limit goes to the dead-letter path", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const records = sampleRecords(64, nowMicros())
      const huge = { ...sampleRecord(999, nowMicros()), message: "x".repeat(20_000) }
      const result = yield* ship([...records, huge])
      assert.deepStrictEqual(result.rejected.map((r) => r.record), [huge])
      assert.match(result.rejected[0]!.reason, /payload limit.*413/)
      const times = yield* storedTimes
      assert.strictEqual(times.size, 64)
      assert.isTrue(records.every((r) => times.get(r.record_id) === 1))
      const requests = yield* standIn.requests
      assert.isTrue(requests.some((r) => r.status === 413))
      assert.isTrue(requests.filter((r) => r.status === 200).every((r) => r.decodedBytes <= 6000))
    }).pipe(Effect.provide(rig({}, { maxBodyBytes: 6000 }))))

  it.live("another 4xx refuses the request: its records come back rejected with OpenObserve's status and message", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(StandInFault.clientError(400, "Invalid stream name"))
      const records = sampleRecords(10, nowMicros())
      const result = yield* ship(records)
      assert.deepStrictEqual(result.rejected.map((r) => r.record), records)
      assert.isTrue(result.rejected.every((r) => r.reason === "OpenObserve answered 400: Invalid stream name"))
      assert.strictEqual((yield* storedTimes).size, 0)
      assert.strictEqual((yield* standIn.requests).length, 1, "not retried")
    }).pipe(Effect.provide(rig())))

  it.live("refused credentials (401) are waited out rather than dead-lettering every record", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(StandInFault.clientError(401, "Unauthorized Access"), StandInFault.clientError(403, "Forbidden"))
      const records = sampleRecords(10, nowMicros())
      yield* assertEachStoredOnce(records, yield* ship(records))
    }).pipe(Effect.provide(rig())))

  it.live("per-record failures in a 200 are read: failed records are sent once more on their own, those failing again are rejected with the reason", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const records = sampleRecords(60, nowMicros())
      const permanent = new Set([records[3]!.record_id, records[17]!.record_id])
      const transient = new Set([records[5]!.record_id, records[40]!.record_id])
      yield* standIn.setRecordRejector((record) => {
        const id = String(record["record_id"])
        if (permanent.has(id)) return "field duration_ms: expected Float64, got Utf8"
        if (transient.delete(id)) return "schema is being updated"
        return undefined
      })
      const rejectedCounter = Metric.withAttributes(OpenObserveSink.metrics.recordsShipped, { outcome: "rejected" })
      const before = (yield* Metric.value(rejectedCounter)).count
      const result = yield* ship(records)
      assert.deepStrictEqual(new Set(result.rejected.map((r) => r.record.record_id)), permanent)
      assert.strictEqual((yield* Metric.value(rejectedCounter)).count - before, 2, "counted")
      assert.isTrue(result.rejected.every((r) => r.reason === "schema_conformance_failed: field duration_ms: expected Float64, got Utf8"))
      const times = yield* storedTimes
      assert.strictEqual(times.size, 58)
      assert.isTrue([...times.values()].every((n) => n === 1), "nothing stored twice")
      const requests = yield* standIn.requests
      assert.deepStrictEqual(requests.map((r) => [r.stored, r.failed]), [[56, 4], [2, 2]], "one retry request with only the 4 failed records")
    }).pipe(Effect.provide(rig())))

  it.live("_json answers only counts: each record is sent again alone to find the failed ones, and only they are rejected", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const records = sampleRecords(30, nowMicros()).filter((r) => r.engine === "postgres")
      const bad = records[4]!.record_id
      yield* standIn.setRecordRejector((record) => (record["record_id"] === bad ? "too many columns" : undefined))
      const result = yield* ship(records)
      assert.deepStrictEqual(result.rejected.map((r) => [r.record.record_id, r.reason]), [[bad, "too many columns"]])
      const requests = yield* standIn.requests
      assert.deepStrictEqual([requests[0]!.stored, requests[0]!.failed], [5, 1])
      // Then one request per record (sent side by side, so in any order).
      assert.deepStrictEqual(
        requests.slice(1).map((r) => `${r.stored}/${r.failed}`).sort(),
        records.map((r) => (r.record_id === bad ? "0/1" : "1/0")).sort()
      )
      // The price of an endpoint that does not say which record failed (the bulk endpoint does): the records it
      // had stored are stored again, under the same record_id.
      const times = yield* storedTimes
      assert.isFalse(times.has(bad))
      assert.isTrue(records.filter((r) => r.record_id !== bad).every((r) => times.get(r.record_id) === 2))
    }).pipe(Effect.provide(rig({ endpoint: "json" }))))

  it.live("records older than the ingestion window ship at the ingest time, the original kept in original_timestamp", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const old = sampleRecords(10, nowMicros() - 30 * HOUR_US, "old")
      const fresh = sampleRecords(10, nowMicros(), "fresh")
      const before = nowMicros()
      const result = yield* ship([...old, ...fresh])
      assert.deepStrictEqual(result.rejected, [])
      const stored = new Map((yield* standIn.accepted()).map((r) => [String(r.record["record_id"]), r.record]))
      for (const r of old) {
        assert.strictEqual(stored.get(r.record_id)!["original_timestamp"], r._timestamp)
        assert.isAtLeast(stored.get(r.record_id)!["_timestamp"] as number, before)
      }
      for (const r of fresh) {
        assert.strictEqual(stored.get(r.record_id)!["_timestamp"], r._timestamp)
        assert.isFalse("original_timestamp" in stored.get(r.record_id)!)
      }
    }).pipe(Effect.provide(rig())))

  it.live("backfill=keep for a widened window: old records keep _timestamp; those outside even that window are rejected, not sent", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const day = sampleRecords(5, nowMicros() - 30 * HOUR_US, "day")
      const week = sampleRecords(5, nowMicros() - 7 * 24 * HOUR_US, "week")
      const result = yield* ship([...day, ...week])
      assert.deepStrictEqual(new Set(result.rejected.map((r) => r.record)), new Set(week))
      assert.match(result.rejected[0]!.reason, /outside the ingestion window/)
      const stored = yield* standIn.accepted()
      assert.deepStrictEqual(stored.map((r) => r.record["_timestamp"]), day.map((r) => r._timestamp))
    }).pipe(Effect.provide(rig({ backfill: "keep", ingestWindow: Duration.hours(72) }, { window: { allowedUptoHours: 72, allowedInFutureHours: 24 } }))))

  /** Ships while every request fails for `ms`; then lets the server recover. Requests sent meanwhile, and the result. */
  const downFor = (ms: number) =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(...Array.from({ length: 10_000 }, () => StandInFault.serverError(500)))
      const records = sampleRecords(20, nowMicros())
      const shipping = yield* Effect.forkChild(ship(records))
      yield* Effect.sleep(Duration.millis(ms))
      const returnedWhileDown = shipping.pollUnsafe() !== undefined
      const sent = (yield* standIn.requests).length
      yield* standIn.clear
      const result = yield* Fiber.join(shipping)
      yield* assertEachStoredOnce(records, result)
      return { returnedWhileDown, sent }
    })

  it.live("the circuit breaker stops hammering a dead endpoint, and ship waits (back-pressure) until it is back", () =>
    Effect.gen(function*() {
      const paced = { retryMaxDelay: Duration.millis(10), breakerOpen: Duration.millis(100), breakerMaxOpen: Duration.millis(400) }
      const withBreaker = yield* downFor(600).pipe(Effect.provide(rig({ ...paced, breakerThreshold: 3 })))
      const without = yield* downFor(600).pipe(Effect.provide(rig({ ...paced, breakerThreshold: 1_000_000 })))
      assert.isFalse(withBreaker.returnedWhileDown, "ship has not returned while OpenObserve is down")
      // With the breaker: 3 failures, then one probe per open period (100, 200, 400 ms).
      assert.isAtMost(withBreaker.sent, 7)
      assert.isAtLeast(without.sent, 3 * withBreaker.sent, `${without.sent} requests without the breaker, ${withBreaker.sent} with`)
    }))

  it.live("with a retry limit, ship gives up with a retryable SinkError naming the last cause", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      yield* standIn.inject(...Array.from({ length: 5 }, () => StandInFault.serverError(502)))
      const error = yield* Effect.flip(ship(sampleRecords(5, nowMicros())))
      assert.isTrue(error.isRetryable)
      assert.match(error.message, /OpenObserve answered 502.*gave up after 3 attempts, OPENOBSERVE_RETRY_MAX_ATTEMPTS/)
      assert.strictEqual((yield* standIn.requests).length, 3)
    }).pipe(Effect.provide(rig({ maxAttempts: 3 }))))

  it.live("layerConfigOr: OpenObserve (user and password, or a token) when OPENOBSERVE_URL is set, the fallback when not", () =>
    Effect.gen(function*() {
      const standIn = yield* OpenObserveStandIn
      const fallback = yield* Ref.make<ReadonlyArray<LogRecord>>([])
      const shipWith = (env: Record<string, string>, records: ReadonlyArray<LogRecord>) =>
        ship(records).pipe(Effect.provide(OpenObserveSink.layerConfigOr(LogSink.layerMemory(fallback)).pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )))
      const toOpenObserve = sampleRecords(5, nowMicros(), "o2")
      yield* shipWith({ OPENOBSERVE_URL: standIn.url, OPENOBSERVE_USER: standIn.user, OPENOBSERVE_PASSWORD: standIn.password }, toOpenObserve)
      const withToken = sampleRecords(5, nowMicros(), "token")
      const token = Buffer.from(`${standIn.user}:${standIn.password}`).toString("base64")
      yield* shipWith({ OPENOBSERVE_URL: standIn.url, OPENOBSERVE_TOKEN: token }, withToken)
      const toFallback = sampleRecords(5, nowMicros(), "files")
      yield* shipWith({}, toFallback)
      assert.deepStrictEqual(
        (yield* standIn.accepted()).map((r) => r.record["record_id"]),
        [...toOpenObserve, ...withToken].map((r) => r.record_id)
      )
      assert.deepStrictEqual(yield* Ref.get(fallback), toFallback)
      const bad = yield* Effect.flip(shipWith({ OPENOBSERVE_URL: standIn.url, OPENOBSERVE_ENDPOINT: "xml" }, toFallback))
      assert.match(String(bad), /OPENOBSERVE_ENDPOINT: expected bulk \| json \| multi/)
    }).pipe(Effect.provide(Layer.merge(OpenObserveStandIn.layer(), quiet))))
})
