import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { makeNdjsonAppender } from "./NdjsonAppend.ts"

const line = fc.string({ unit: "grapheme", maxLength: 300 }).map((s) => JSON.stringify({ s }))

describe("NdjsonAppend", () => {
  it("after a process died mid-write, the next process's appends leave only whole lines: the complete ones before, then its own", () => {
    const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "ndjson-append-"))
    try {
      fc.assert(
        fc.property(
          fc.array(line, { maxLength: 20 }),
          line,
          fc.nat(),
          fc.array(fc.array(line, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
          (complete, torn, tornAt, batches) => {
            const path = NodePath.join(dir, "stream.ndjson")
            const tornBytes = Buffer.from(torn).subarray(0, tornAt % Buffer.byteLength(torn))
            NodeFs.writeFileSync(path, Buffer.concat([Buffer.from(complete.map((l) => l + "\n").join("")), tornBytes]))
            const append = makeNdjsonAppender()
            for (const batch of batches) append(path, batch.map((l) => l + "\n").join(""))
            const expected = [...complete, ...batches.flat()]
            const text = NodeFs.readFileSync(path, "utf8")
            assert.deepStrictEqual(text.split("\n").slice(0, -1), expected)
            for (const l of text.split("\n").slice(0, -1)) JSON.parse(l)
          }
        ),
        { numRuns: 200 }
      )
    } finally {
      NodeFs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("a file with no newline at all is all torn, and one that ends in a newline is left as it is", () => {
    const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "ndjson-append-"))
    try {
      const torn = NodePath.join(dir, "torn.ndjson")
      NodeFs.writeFileSync(torn, "x".repeat(200_000))
      makeNdjsonAppender()(torn, "{}\n")
      assert.strictEqual(NodeFs.readFileSync(torn, "utf8"), "{}\n")
      const whole = NodePath.join(dir, "whole.ndjson")
      NodeFs.writeFileSync(whole, "{\"a\":1}\n" + "y".repeat(100_000) + "\n")
      makeNdjsonAppender()(whole, "{}\n")
      assert.strictEqual(NodeFs.readFileSync(whole, "utf8"), "{\"a\":1}\n" + "y".repeat(100_000) + "\n{}\n")
    } finally {
      NodeFs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
