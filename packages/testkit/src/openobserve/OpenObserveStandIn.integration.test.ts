import * as NodeZlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { OpenObserveStandIn, type StandInOptions } from "./OpenObserveStandIn.ts"
import { StandInFault } from "./StandInFault.ts"

const HOUR_US = 3_600_000_000
const nowUs = () => Date.now() * 1000

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    const auth = `Basic ${Buffer.from(`${standIn.user}:${standIn.password}`).toString("base64")}`
    return yield* Effect.promise(async (): Promise<Reply> => {
      const response = await fetch(standIn.url + path, { method: "POST", body, headers: { authorization: auth, ...headers } })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) }
    })
  })

const postFails = (path: string, body: string) =>
  Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    const auth = `Basic ${Buffer.from(`${standIn.user}:${standIn.password}`).toString("base64")}`
    return yield* Effect.promise(() =>
      fetch(standIn.url + path, { method: "POST", body, headers: { authorization: auth } }).then(() => false, () => true)
    )
  })

const ndjson = (docs: ReadonlyArray<unknown>) => docs.map((d) => JSON.stringify(d)).join("\n") + "\n"
const bulk = (stream: string, docs: ReadonlyArray<{ readonly record_id: string }>) =>
  docs.map((d) => `${JSON.stringify({ index: { _index: stream, _id: d.record_id } })}\n${JSON.stringify(d)}\n`).join("")

const standIn = (options: StandInOptions = {}) =>
  OpenObserveStandIn.layer({ retryAfterSeconds: 0, ...options })

describe("OpenObserveStandIn", () => {
  it.live("answers /healthz, and 401 to a request without the right Basic credentials", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      const health = yield* Effect.promise(() => fetch(`${s.url}/healthz`).then((r) => r.json()))
      assert.deepStrictEqual(health, { status: "ok" })
      const unauthorized = yield* Effect.promise(() =>
        fetch(`${s.url}/api/default/s/_json`, { method: "POST", body: "[]", headers: { authorization: "Basic bm9wZTpub3Bl" } }))
      assert.strictEqual(unauthorized.status, 401)
      assert.strictEqual((yield* s.accepted()).length, 0)
    }).pipe(Effect.provide(standIn())))

  it.live("_json: stores the records with _timestamp in microseconds under the formatted stream name, answers the counts", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      const at = nowUs()
      const reply = yield* post("/api/default/Aurora-PG.Logs/_json", JSON.stringify([
        { record_id: "a", _timestamp: at },
        { record_id: "b", _timestamp: Math.floor(at / 1000) },
        { record_id: "c", _timestamp: new Date(Math.floor(at / 1000)).toISOString() },
        { record_id: "d" }
      ]))
      assert.deepStrictEqual(reply, { ...reply, status: 200, body: { code: 200, status: [{ name: "aurora_pg_logs", successful: 4, failed: 0 }] } })
      const stored = yield* s.accepted("aurora_pg_logs")
      assert.deepStrictEqual(stored.map((r) => r.record["record_id"]), ["a", "b", "c", "d"])
      assert.strictEqual(stored[0]!.record["_timestamp"], at)
      assert.strictEqual(stored[1]!.record["_timestamp"], Math.floor(at / 1000) * 1000)
      assert.strictEqual(stored[2]!.record["_timestamp"], Math.floor(at / 1000) * 1000)
      assert.isAtLeast(stored[3]!.record["_timestamp"] as number, at - 1000, "no timestamp: the ingest time")
    }).pipe(Effect.provide(standIn())))

  it.live("the ingestion window: older or further ahead than allowed fails per record, with OpenObserve's message", () =>
    Effect.gen(function*() {
      const reply = yield* post("/api/default/s/_multi", ndjson([
        { record_id: "ok", _timestamp: nowUs() },
        { record_id: "old", _timestamp: nowUs() - 6 * HOUR_US },
        { record_id: "ahead", _timestamp: nowUs() + 25 * HOUR_US }
      ]))
      const status = reply.body.status[0]
      assert.strictEqual(status.successful, 1)
      assert.strictEqual(status.failed, 2)
      assert.match(status.error, /^Too far data, only future 24 hours data can be ingested/)
      const bulkReply = yield* post("/api/default/_bulk", bulk("s", [{ record_id: "old", _timestamp: nowUs() - 6 * HOUR_US } as never]))
      assert.match(bulkReply.body.items[0].index.error.reason, /^Too old data, only last 5 hours data can be ingested\. Data discarded/)
    }).pipe(Effect.provide(standIn())))

  it.live("gzip and zstd request bodies are decoded", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      const body = ndjson([{ record_id: "g" }])
      yield* post("/api/default/s/_multi", NodeZlib.gzipSync(body), { "content-encoding": "gzip" })
      yield* post("/api/default/s/_multi", NodeZlib.zstdCompressSync(ndjson([{ record_id: "z" }])), { "content-encoding": "zstd" })
      assert.deepStrictEqual((yield* s.accepted()).map((r) => r.record["record_id"]), ["g", "z"])
      assert.deepStrictEqual((yield* s.requests).map((r) => r.contentEncoding), ["gzip", "zstd"])
    }).pipe(Effect.provide(standIn())))

  it.live("_bulk: one item per document, in order, with _id; a refused record is a 422 item with its reason and original", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* s.setRecordRejector((record) => (record["record_id"] === "2" ? "field x: type conflict" : undefined))
      const docs = [{ record_id: "1" }, { record_id: "2" }, { record_id: "3" }]
      const reply = yield* post("/api/default/_bulk", bulk("Aurora_MySQL_Audit", docs))
      assert.strictEqual(reply.body.errors, true)
      assert.deepStrictEqual(reply.body.items.map((i: any) => [i.index._index, i.index._id, i.index.status]), [
        ["aurora_mysql_audit", "1", 200],
        ["aurora_mysql_audit", "2", 422],
        ["aurora_mysql_audit", "3", 200]
      ])
      assert.deepStrictEqual(reply.body.items[1].index.error.type, "schema_conformance_failed")
      assert.deepStrictEqual(reply.body.items[1].index.error.reason, "field x: type conflict")
      assert.deepStrictEqual(reply.body.items[1].index.originalRecord, { record_id: "2" })
      assert.deepStrictEqual((yield* s.accepted()).map((r) => [r.record["record_id"], r.record["_id"]]), [["1", "1"], ["3", "3"]])
    }).pipe(Effect.provide(standIn())))

  it.live("_bulk with errors-only answers lists the failed items alone", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* s.setRecordRejector((record) => (record["record_id"] === "b" ? "no" : undefined))
      const reply = yield* post("/api/default/_bulk", bulk("s", [{ record_id: "a" }, { record_id: "b" }]))
      assert.deepStrictEqual(reply.body.items.map((i: any) => i.index._id), ["b"])
    }).pipe(Effect.provide(standIn({ bulkErrorsOnly: true }))))

  it.live("413 above the body limit, 400 for a body that is not JSON: nothing stored", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      assert.strictEqual((yield* post("/api/default/s/_multi", ndjson([{ record_id: "x", pad: "y".repeat(600) }]))).status, 413)
      assert.strictEqual((yield* post("/api/default/s/_json", "[{\"a\": ")).status, 400)
      assert.strictEqual((yield* s.accepted()).length, 0)
    }).pipe(Effect.provide(standIn({ maxBodyBytes: 500 }))))

  it.live("faults: 503 and 429 with Retry-After, 500, each spent on one request, in order", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* s.inject(StandInFault.unavailable(3), StandInFault.tooManyRequests(), StandInFault.serverError())
      const replies = []
      for (let i = 0; i < 4; i++) replies.push(yield* post("/api/default/s/_json", JSON.stringify([{ record_id: String(i) }])))
      assert.deepStrictEqual(replies.map((r) => [r.status, r.headers.get("retry-after")]), [[503, "3"], [429, "0"], [500, null], [200, null]])
      assert.deepStrictEqual((yield* s.accepted()).map((r) => r.record["record_id"]), ["3"])
      assert.strictEqual(yield* s.pendingFaults, 0)
    }).pipe(Effect.provide(standIn())))

  it.live("faults: a reset before processing stores nothing; a reset after processing stores and loses the answer", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* s.inject(StandInFault.resetBeforeProcessing, StandInFault.resetAfterProcessing)
      assert.isTrue(yield* postFails("/api/default/s/_json", JSON.stringify([{ record_id: "before" }])))
      assert.isTrue(yield* postFails("/api/default/s/_json", JSON.stringify([{ record_id: "after" }])))
      assert.deepStrictEqual((yield* s.accepted()).map((r) => r.record["record_id"]), ["after"])
      assert.deepStrictEqual((yield* s.requests).map((r) => [r.fault, r.answered, r.storedIds]), [
        ["ResetBeforeProcessing", false, []],
        ["ResetAfterProcessing", false, ["after"]]
      ])
    }).pipe(Effect.provide(standIn())))

  it.live("faults: a slow answer arrives after its delay, the records already stored", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* s.inject(StandInFault.slow(200))
      const started = Date.now()
      const reply = yield* post("/api/default/s/_json", JSON.stringify([{ record_id: "slow" }]))
      assert.strictEqual(reply.status, 200)
      assert.isAtLeast(Date.now() - started, 200)
      assert.deepStrictEqual((yield* s.requests).map((r) => [r.fault, r.answered]), [["Slow", true]])
    }).pipe(Effect.provide(standIn())))

  it.live("what it accepted is queryable over HTTP too (GET /_standin/records?stream=)", () =>
    Effect.gen(function*() {
      const s = yield* OpenObserveStandIn
      yield* post("/api/default/a/_json", JSON.stringify([{ record_id: "1" }]))
      yield* post("/api/default/b/_json", JSON.stringify([{ record_id: "2" }]))
      const text = yield* Effect.promise(() => fetch(`${s.url}/_standin/records?stream=b`).then((r) => r.text()))
      assert.deepStrictEqual(text.trim().split("\n").map((l) => JSON.parse(l)["record_id"]), ["2"])
      assert.deepStrictEqual([...(yield* s.acceptedCounts)], [["a", 1], ["b", 1]])
    }).pipe(Effect.provide(standIn())))
})
