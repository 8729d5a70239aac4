import { assert, describe, it } from "@effect/vitest"
import { type Block, Cursor, type Instance } from "@aurora-logs/core"
import { blockKey } from "@aurora-logs/core"
import { LOG_FORMATS } from "@aurora-logs/parsers"
import { Schema } from "effect"
import * as fc from "fast-check"
import { decodeBlock, encodeBlock } from "./BlockCodec.ts"

const nat = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })
const name = fc.string({ minLength: 1, maxLength: 40 })

const instance: fc.Arbitrary<Instance> = fc.record({
  id: name,
  cluster: fc.string(),
  engine: fc.constantFrom("postgres" as const, "mysql" as const),
  role: fc.constantFrom("writer" as const, "reader" as const),
  region: fc.string(),
  tags: fc.dictionary(fc.string(), fc.string())
})

/** Built from the Cursor schema's fields, so the test follows the schema as it grows. */
const cursor = fc.record(Object.fromEntries(Object.entries(Cursor.fields).map(([key, field]): [string, fc.Arbitrary<unknown>] => {
  if (field === Schema.String) return [key, fc.string()]
  if (field === Schema.Number) return [key, nat]
  if (field === Schema.Boolean) return [key, fc.boolean()]
  if (field === Schema.Uint8Array) return [key, fc.uint8Array({ maxLength: 300 })]
  throw new Error(`BlockCodec.test: no generator for Cursor.${key}; add one`)
}))) as unknown as fc.Arbitrary<Cursor>

const block: fc.Arbitrary<Block> = fc.record({
  instance: name,
  file: name,
  generation: nat,
  source: instance,
  format: fc.constantFrom(...LOG_FORMATS),
  offset: nat,
  data: fc.uint8Array({ maxLength: 2000 }),
  partial: fc.boolean(),
  continuation: fc.boolean(),
  fence: nat,
  cursorAfter: cursor
}, { requiredKeys: ["instance", "file", "generation", "source", "format", "offset", "data", "partial", "continuation", "fence"] })

/** What a broker hands back: every header value as bytes. */
const asReceived = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v, "utf8")]))

const plain = (b: Block) => ({ ...b, data: Array.from(b.data), cursorAfter: b.cursorAfter === undefined ? undefined : { ...b.cursorAfter, carry: Array.from(b.cursorAfter.carry) } })

describe("BlockCodec", () => {
  it("round-trips every block: raw bytes as the value, the rest in headers, keyed by file", () => {
    fc.assert(fc.property(block, fc.dictionary(fc.constantFrom("traceparent", "tracestate"), fc.string({ minLength: 1 })), (b, trace) => {
      const encoded = encodeBlock(b, trace)
      assert.strictEqual(encoded.key, blockKey(b))
      assert.deepStrictEqual(Array.from(encoded.value), Array.from(b.data))
      const decoded = decodeBlock(Buffer.from(encoded.value), asReceived(encoded.headers))
      assert.strictEqual(decoded._tag, "Block")
      if (decoded._tag !== "Block") return
      assert.deepStrictEqual(plain(decoded.block), plain(b))
      assert.deepStrictEqual(decoded.headers ?? {}, trace)
    }), { numRuns: 300 })
  })

  it("names what is wrong with a message it cannot decode", () => {
    const good = encodeBlock({
      instance: "pg-1", file: "error/postgresql.log", generation: 0, format: "postgres", offset: 0, partial: false, continuation: false, fence: 1,
      data: new TextEncoder().encode("line\n"),
      source: { id: "pg-1", cluster: "c", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
    })
    const without = (header: string) => asReceived(Object.fromEntries(Object.entries(good.headers).filter(([k]) => k !== header)))
    const cases: Array<[Buffer | null, Parameters<typeof decodeBlock>[1], RegExp]> = [
      [null, asReceived(good.headers), /no value/],
      [good.value, undefined, /no headers/],
      [good.value, {}, /al-codec/],
      [good.value, { ...asReceived(good.headers), "al-codec": Buffer.from("9") }, /unknown codec version 9/],
      [good.value, without("al-file"), /al-file/],
      [good.value, { ...asReceived(good.headers), "al-offset": Buffer.from("-1") }, /al-offset/],
      [good.value, { ...asReceived(good.headers), "al-format": Buffer.from("oracle") }, /al-format/],
      [good.value, { ...asReceived(good.headers), "al-source": Buffer.from("{") }, /al-source/],
      [good.value, { ...asReceived(good.headers), "al-source": Buffer.from("{\"id\":1}") }, /al-source/],
      [good.value, { ...asReceived(good.headers), "al-cursor": Buffer.from("{\"carry\":\"\"}") }, /al-cursor/]
    ]
    for (const [value, headers, reason] of cases) {
      const decoded = decodeBlock(value, headers)
      assert.strictEqual(decoded._tag, "Undecodable")
      if (decoded._tag === "Undecodable") assert.match(decoded.reason, reason)
    }
  })
})
