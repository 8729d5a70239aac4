import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import * as fc from "fast-check"
import { backoffMillis, MAX_RETRY_AFTER_MS } from "./Backoff.ts"

const settings = { retryInitialDelay: Duration.millis(200), retryMaxDelay: Duration.seconds(30) }

describe("Backoff", () => {
  it("grows exponentially from the initial delay, capped, with between half and all of it as jitter", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, random) => {
      const ceiling = Math.min(30_000, 200 * 2 ** (attempt - 1))
      const delay = backoffMillis(settings, attempt, random, undefined)
      assert.isAtLeast(delay, Math.floor(ceiling / 2))
      assert.isAtMost(delay, ceiling)
    }))
    assert.deepStrictEqual([1, 2, 3, 4].map((a) => backoffMillis(settings, a, 0.999999, undefined)), [200, 400, 800, 1600])
  })

  it("waits what Retry-After asked, plus at most 10 %, and reads an absurd one as five minutes", () => {
    assert.strictEqual(backoffMillis(settings, 7, 0, 1000), 1000)
    assert.strictEqual(backoffMillis(settings, 1, 0.999999, 1000), 1100)
    assert.strictEqual(backoffMillis(settings, 1, 0, 86_400_000), MAX_RETRY_AFTER_MS)
  })
})
