import type { LogRecord } from "@aurora-logs/core"
import { sampleRecord, sampleRecords } from "@aurora-logs/testkit/openobserve/SampleRecords"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import type { Outgoing } from "./IngestionWindow.ts"
import { type EncodedRequest, makeRequestEncoder, type RequestSettings } from "./RequestBody.ts"

const NOW = 1_764_000_000_000_000
const settings = (overrides: Partial<RequestSettings> = {}): RequestSettings => ({
  org: "default",
  endpoint: "bulk",
  streamTemplate: "aurora_{source}",
  maxRequestBytes: 1024 * 1024,
  maxRequestRecords: 1000,
  ...overrides
})
const outgoing = (records: ReadonlyArray<LogRecord>): Array<Outgoing> => records.map((record) => ({ record, doc: record }))
/** The body as JSON.stringify writes it: what the byte-level encoding must reproduce exactly. */
const expectedBody = (endpoint: RequestSettings["endpoint"], outgoing: ReadonlyArray<Outgoing>, streamOf: (o: Outgoing) => string) =>
  endpoint === "json"
    ? `[${outgoing.map((o) => JSON.stringify(o.doc)).join(",")}]`
    : outgoing.map((o) =>
      (endpoint === "bulk" ? `${JSON.stringify({ index: { _index: streamOf(o), _id: o.record.record_id } })}\n` : "") + `${JSON.stringify(o.doc)}\n`
    ).join("")
const lines = (request: EncodedRequest) => request.body.toString("utf8").split("\n").filter((l) => l !== "")

describe("RequestBody", () => {
  it("bulk: an action line naming the stream and the record_id as _id, then the document", () => {
    const encoder = makeRequestEncoder(settings())
    const records = sampleRecords(5, NOW)
    const [request, ...rest] = encoder.requests(outgoing(records))
    assert.strictEqual(rest.length, 0)
    assert.strictEqual(request!.path, "/api/default/_bulk")
    const body = lines(request!)
    assert.strictEqual(body.length, 10)
    records.forEach((record, i) => {
      assert.deepStrictEqual(JSON.parse(body[2 * i]!), {
        index: { _index: `aurora_${record.engine === "postgres" ? "postgresql" : `mysql_${record.log_type}`}`, _id: record.record_id }
      })
      assert.deepStrictEqual(JSON.parse(body[2 * i + 1]!), record)
    })
  })

  it("multi and json: one request per stream, at /api/{org}/{stream}/_multi or _json", () => {
    for (const endpoint of ["multi", "json"] as const) {
      const encoder = makeRequestEncoder(settings({ endpoint, org: "team a" }))
      const requests = encoder.requests(outgoing(sampleRecords(10, NOW)))
      assert.deepStrictEqual(
        requests.map((r) => r.path).sort(),
        ["mysql_audit", "mysql_error", "mysql_general", "mysql_slowquery", "postgresql"].map((s) => `/api/team%20a/aurora_${s}/_${endpoint}`)
      )
      for (const request of requests) {
        const docs: Array<LogRecord> = endpoint === "json" ? JSON.parse(request.body.toString("utf8")) : lines(request).map((l) => JSON.parse(l))
        assert.deepStrictEqual(docs, request.outgoing.map((o) => o.record))
        assert.isTrue(docs.every((d) => encoder.streamOf({ record: d, doc: d }) === request.stream))
      }
    }
  })

  it("sends the document, which may differ from the record (a moved timestamp)", () => {
    const record = sampleRecord(1, NOW)
    const doc = { ...record, _timestamp: NOW + 1, original_timestamp: NOW }
    const request = makeRequestEncoder(settings({ endpoint: "multi" })).request([{ record, doc }])
    assert.deepStrictEqual(JSON.parse(request.body.toString("utf8")), doc)
  })

  it("the stream template and OpenObserve's name rules choose the stream", () => {
    const encoder = makeRequestEncoder(settings({ streamTemplate: "Logs-{cluster}.{log_type}" }))
    const record = sampleRecord(0, NOW)
    assert.strictEqual(encoder.streamOf({ record, doc: record }), "logs_aurora_demo_postgresql")
  })

  it("requests keep within the byte and record limits, carry every record once, keep each stream's order, and hold the text JSON.stringify gives", () => {
    fc.assert(fc.property(
      fc.record({
        count: fc.integer({ min: 0, max: 300 }),
        maxBytes: fc.integer({ min: 200, max: 20_000 }),
        maxRecords: fc.integer({ min: 1, max: 50 }),
        endpoint: fc.constantFrom("bulk" as const, "multi" as const, "json" as const),
        padding: fc.array(fc.string({ unit: "grapheme", maxLength: 300 }), { minLength: 1, maxLength: 20 })
      }),
      ({ count, endpoint, maxBytes, maxRecords, padding }) => {
      const records = sampleRecords(count, NOW).map((r, i) => ({ ...r, message: padding[i % padding.length]! }))
      const encoder = makeRequestEncoder(settings({ endpoint, maxRequestBytes: maxBytes, maxRequestRecords: maxRecords }))
      const requests = encoder.requests(outgoing(records))
      for (const request of requests) {
        assert.isAtMost(request.outgoing.length, maxRecords)
        if (request.outgoing.length > 1) assert.isAtMost(request.body.length, maxBytes)
        const docs = endpoint === "json" ? JSON.parse(request.body.toString("utf8")) : lines(request).filter((_, i) => endpoint === "multi" || i % 2 === 1).map((l) => JSON.parse(l))
        assert.deepStrictEqual(docs, request.outgoing.map((o) => o.record))
        assert.strictEqual(request.body.toString("utf8"), expectedBody(endpoint, request.outgoing, encoder.streamOf))
        assert.isTrue(request.body.equals(encoder.request(request.outgoing).body))
      }
      const shipped = requests.flatMap((r) => r.outgoing.map((o) => o.record))
      assert.strictEqual(shipped.length, records.length)
      const byStream = (list: ReadonlyArray<LogRecord>) => {
        const map = new Map<string, Array<string>>()
        for (const r of list) {
          const key = encoder.streamOf({ record: r, doc: r })
          map.set(key, [...(map.get(key) ?? []), r.record_id])
        }
        return map
      }
      assert.deepStrictEqual(byStream(shipped), byStream(records))
    }), { numRuns: 150 })
  })
})
