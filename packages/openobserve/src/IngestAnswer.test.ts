import { sampleRecords } from "@aurora-logs/testkit/openobserve/SampleRecords"
import { assert, describe, it } from "@effect/vitest"
import { BULK_HEAD_BYTES, bulkAnswerWithoutErrors, type IngestVerdict, readIngestAnswer, retryAfterMillis } from "./IngestAnswer.ts"
import { makeRequestEncoder } from "./RequestBody.ts"

const NOW_MS = 1_764_000_000_000
const records = sampleRecords(4, NOW_MS * 1000)
const encoder = makeRequestEncoder({ org: "default", endpoint: "bulk", streamTemplate: "aurora_{source}", maxRequestBytes: 1 << 20, maxRequestRecords: 100 })
const request = encoder.request(records.map((record) => ({ record, doc: record })))

const ok = (index: string, id: string) => ({ index: { _index: index, _id: id, status: 200, result: "created" } })
const failed = (index: string, id: string, reason: string, original?: unknown) => ({
  index: {
    _index: index,
    _id: id,
    status: 422,
    error: { type: "schema_conformance_failed", reason, index_uuid: "", shard: "1", index },
    ...(original === undefined ? {} : { originalRecord: original })
  }
})
const bulk = (body: unknown, status = 200, retryAfter?: string) =>
  readIngestAnswer("bulk", request, status, retryAfter, JSON.stringify(body), NOW_MS)

describe("IngestAnswer", () => {
  it("bulk: failed items are matched to their records by _id, whatever their order", () => {
    const verdict = bulk({
      took: 1,
      errors: true,
      items: [failed("s", records[2]!.record_id, "bad type"), ok("s", records[0]!.record_id), failed("s", records[1]!.record_id, "too many columns")]
    })
    assert.deepStrictEqual(verdict, {
      _tag: "SomeFailed",
      failures: [{ index: 2, reason: "schema_conformance_failed: bad type" }, { index: 1, reason: "schema_conformance_failed: too many columns" }]
    })
  })

  it("bulk: without _id, by originalRecord.record_id; with every item listed, by position", () => {
    const byOriginal = bulk({ errors: true, items: [failed("s", "", "x", { record_id: records[3]!.record_id })] })
    assert.deepStrictEqual(byOriginal, { _tag: "SomeFailed", failures: [{ index: 3, reason: "schema_conformance_failed: x" }] })
    const byPosition = bulk({ errors: true, items: [ok("s", ""), ok("s", ""), failed("s", "", "y"), ok("s", "")] })
    assert.deepStrictEqual(byPosition, { _tag: "SomeFailed", failures: [{ index: 2, reason: "schema_conformance_failed: y" }] })
  })

  it("bulk: a failed item that cannot be matched makes the answer unattributed", () => {
    assert.deepStrictEqual(bulk({ errors: true, items: [failed("s", "", "z")] }), { _tag: "Unattributed", failed: 1, reason: "schema_conformance_failed: z" })
  })

  it("bulk: all items successful is acceptance; the older per-stream answer is read by its counts", () => {
    assert.deepStrictEqual(bulk({ errors: false, items: records.map((r) => ok("s", r.record_id)) }), { _tag: "Accepted" })
    assert.deepStrictEqual(bulk({ code: 200, status: [{ name: "s", successful: 4, failed: 0 }] }), { _tag: "Accepted" })
  })

  it("bulk: an answer that says errors:false before its items is taken at its word; otherwise the items are read", () => {
    const items = [ok("s", records[0]!.record_id), failed("s", records[1]!.record_id, "bad type")]
    assert.deepStrictEqual(bulk({ took: 1, errors: false, items }), { _tag: "Accepted" })
    const failure: IngestVerdict = { _tag: "SomeFailed", failures: [{ index: 1, reason: "schema_conformance_failed: bad type" }] }
    assert.deepStrictEqual(bulk({ took: 1, errors: true, items }), failure)
    assert.deepStrictEqual(bulk({ took: 1, items, errors: false }), failure)
    assert.deepStrictEqual(bulk({ took: 1, items }), failure)
    assert.deepStrictEqual(bulk({ took: 1, meta: { errors: false }, items }), failure)
  })

  it("bulk: the first bytes of an answer are enough to know that no item failed, and never say so wrongly", () => {
    const answer = JSON.stringify({ took: 1, errors: false, items: records.map((r) => ok("s", r.record_id)) })
    assert.isTrue(bulkAnswerWithoutErrors(answer.slice(0, BULK_HEAD_BYTES)))
    assert.isFalse(bulkAnswerWithoutErrors(JSON.stringify({ took: 1, errors: true, items: [] }).slice(0, BULK_HEAD_BYTES)))
    // A head cut before "items" (or a longer one) proves nothing: the whole answer is read.
    assert.isFalse(bulkAnswerWithoutErrors(answer.slice(0, answer.indexOf('"items"') - 1)))
    assert.isFalse(bulkAnswerWithoutErrors(`{"took":1,"note":"${"x".repeat(BULK_HEAD_BYTES)}","errors":false,"items":[]}`.slice(0, BULK_HEAD_BYTES)))
  })

  it("_json / _multi: counts only: none failed, all failed (known), some failed (unattributed)", () => {
    const read = (successful: number, failedCount: number) =>
      readIngestAnswer("json", request, 200, undefined, JSON.stringify({ code: 200, status: [{ name: "s", successful, failed: failedCount, error: "Too old data" }] }), NOW_MS)
    assert.deepStrictEqual(read(4, 0), { _tag: "Accepted" })
    assert.deepStrictEqual(read(0, 4), { _tag: "SomeFailed", failures: [0, 1, 2, 3].map((index) => ({ index, reason: "Too old data" })) })
    assert.deepStrictEqual(read(3, 1), { _tag: "Unattributed", failed: 1, reason: "Too old data" })
  })

  it("a 200 whose body carries code 503 is a retry", () => {
    const verdict = readIngestAnswer("multi", request, 200, undefined, JSON.stringify({ code: 503, status: [], error: "memtable full" }), NOW_MS)
    assert.strictEqual(verdict._tag, "Retry")
  })

  it("statuses: 413 splits, 429 and 503 wait as asked, 5xx retry, 401/403 retry, 501 and other 4xx refuse", () => {
    const at = (status: number, body = "{}", retryAfter?: string) => bulk(JSON.parse(body), status, retryAfter)
    assert.strictEqual(at(413)._tag, "TooLarge")
    assert.deepStrictEqual(at(429, "{}", "2"), { _tag: "Retry", message: "OpenObserve answered 429: {}", retryAfterMs: 2000, unhealthy: false })
    const unavailable = at(503, JSON.stringify({ code: 503, message: "busy" }), "1")
    assert.deepStrictEqual(unavailable, { _tag: "Retry", message: "OpenObserve answered 503: busy", retryAfterMs: 1000, unhealthy: true })
    for (const status of [500, 502, 504, 408, 401, 403]) assert.strictEqual(at(status)._tag, "Retry", `status ${status}`)
    assert.strictEqual(at(400, JSON.stringify({ message: "MemoryTableOverflowError" }))._tag, "Retry")
    for (const status of [400, 404, 422, 501]) {
      const verdict = at(status, JSON.stringify({ code: status, message: "nope" }))
      assert.deepStrictEqual(verdict, { _tag: "Refused", status, message: `OpenObserve answered ${status}: nope` })
    }
  })

  it("Retry-After: delay-seconds or an HTTP-date", () => {
    assert.strictEqual(retryAfterMillis("1", NOW_MS), 1000)
    assert.strictEqual(retryAfterMillis("0.5", NOW_MS), 500)
    assert.strictEqual(retryAfterMillis(new Date(NOW_MS + 7000).toUTCString(), NOW_MS), 7000)
    assert.strictEqual(retryAfterMillis("soon", NOW_MS), undefined)
    assert.strictEqual(retryAfterMillis(undefined, NOW_MS), undefined)
  })
})
