/**
 * NdjsonEncoder writes exactly the UTF-8 bytes of JSON.stringify(record) + "\n": on every record of
 * the fixtures and on generated records (any characters, lone surrogates, every kind of number), with
 * lines spanning chunks and with a suffix of shared fields.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { NdjsonEncoder } from "./Ndjson.ts"
import { listFixtures, parseFile, readFixture } from "./testing/Fixtures.ts"
import type { ParsedRecord } from "./Types.ts"

function encode(records: ReadonlyArray<ParsedRecord>, chunkBytes?: number, suffix?: Uint8Array, reuse = false): string {
  const chunks: Uint8Array[] = []
  const encoder = new NdjsonEncoder((bytes) => chunks.push(reuse ? Buffer.from(bytes) : bytes), chunkBytes, reuse)
  for (const record of records) encoder.write(record, suffix)
  encoder.flush()
  return Buffer.concat(chunks).toString("latin1")
}

const expected = (records: ReadonlyArray<ParsedRecord>, extra?: Record<string, unknown>): string =>
  Buffer.from(records.map((r) => JSON.stringify(extra === undefined ? r : { ...r, ...extra }) + "\n").join(""), "utf8").toString("latin1")

const value = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.string({ unit: fc.constantFrom("a", "\"", "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "é", "\u2028", "\ud800", "\udc00", "😀"), maxLength: 60 }),
  fc.double(),
  fc.integer(),
  fc.integer({ min: -(10 ** 15), max: 10 ** 15 }).map((k) => k / 1e6),
  fc.integer({ min: -(10 ** 12), max: 10 ** 12 }).map((k) => k / 1e3),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, 1_795_685_882_000_000, 2 ** 53, -(2 ** 53) - 2, 1e21, 1.5e-7, Number.NaN, Infinity, -Infinity),
  fc.boolean(),
  fc.constant(undefined),
  fc.constant(null)
)
const record = fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), value, { maxKeys: 12 }) as fc.Arbitrary<ParsedRecord>

describe("NdjsonEncoder", () => {
  it("writes what JSON.stringify writes for every fixture record", () => {
    for (const fixture of listFixtures()) {
      const records = parseFile(fixture.format, readFixture(fixture.name))
      expect(encode(records)).toBe(expected(records))
      expect(encode(records, 1024)).toBe(expected(records))
      expect(encode(records, 1024, undefined, true)).toBe(expected(records))
    }
  })

  it("writes what JSON.stringify writes for any flat record", () => {
    fc.assert(fc.property(fc.array(record, { maxLength: 8 }), fc.integer({ min: 1, max: 4096 }), (records, chunk) => {
      expect(encode(records, chunk)).toBe(expected(records))
    }), { numRuns: 500 })
  })

  it("appends a suffix of shared fields", () => {
    const shared = { file: "error/postgresql.log.2026-11-26-0937", log_type: "postgresql", engine: "postgres", n: 3, ok: true }
    const suffix = NdjsonEncoder.suffix(shared)
    fc.assert(fc.property(fc.array(record, { maxLength: 8 }), (generated) => {
      const records = generated.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(k in shared))) as ParsedRecord)
      expect(encode(records, 4096, suffix)).toBe(expected(records, shared))
    }), { numRuns: 200 })
    expect(encode([{}], 4096, suffix)).toBe(expected([{}], shared))
    expect(encode([{ a: 1 }], 4096, NdjsonEncoder.suffix({}))).toBe(expected([{ a: 1 }]))
  })
})
