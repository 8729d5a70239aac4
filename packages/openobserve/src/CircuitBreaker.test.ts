import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { makeCircuitBreaker } from "./CircuitBreaker.ts"

const settings = { breakerThreshold: 3, breakerOpen: Duration.seconds(5), breakerMaxOpen: Duration.seconds(12) }

describe("CircuitBreaker", () => {
  it.effect("stays closed below the threshold; a success resets the count", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker(settings)
      yield* breaker.failure
      yield* breaker.failure
      yield* breaker.success
      yield* breaker.failure
      yield* breaker.failure
      assert.deepStrictEqual(yield* breaker.state, { _tag: "Closed", failures: 2 })
    }))

  it.effect("opens after the threshold: nobody is admitted for the open period, then one probe at a time", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker(settings)
      for (let i = 0; i < 3; i++) yield* breaker.failure
      assert.strictEqual((yield* breaker.state)._tag, "Open")
      const first = yield* Effect.forkChild(breaker.admit)
      const second = yield* Effect.forkChild(breaker.admit)
      yield* TestClock.adjust(Duration.millis(4_999))
      assert.isUndefined(first.pollUnsafe(), "still open")
      yield* TestClock.adjust(Duration.millis(1))
      yield* TestClock.adjust(Duration.millis(100))
      const admitted = [first.pollUnsafe(), second.pollUnsafe()].filter((exit) => exit !== undefined)
      assert.strictEqual(admitted.length, 1, "exactly one probe")
      assert.deepStrictEqual(yield* breaker.state, { _tag: "HalfOpen", openings: 1, probing: true })
      yield* breaker.success
      yield* TestClock.adjust(Duration.millis(100))
      yield* Fiber.join(first)
      yield* Fiber.join(second)
      assert.deepStrictEqual(yield* breaker.state, { _tag: "Closed", failures: 0 })
    }))

  it.effect("a failed probe opens the circuit again for twice as long, capped", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker(settings)
      for (let i = 0; i < 3; i++) yield* breaker.failure
      const until = (state: { readonly _tag: string; readonly until?: number }) => state.until
      const opened = [until(yield* breaker.state)]
      for (let round = 0; round < 3; round++) {
        const probe = yield* Effect.forkChild(breaker.admit)
        yield* TestClock.adjust(Duration.seconds(12))
        yield* Fiber.join(probe)
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        yield* breaker.failure
        opened.push(until(yield* breaker.state)! - now)
      }
      assert.deepStrictEqual(opened.slice(1), [10_000, 12_000, 12_000])
    }))

  it.effect("a 429 (neutral) frees the probe slot without closing or opening", () =>
    Effect.gen(function*() {
      const breaker = yield* makeCircuitBreaker(settings)
      for (let i = 0; i < 3; i++) yield* breaker.failure
      yield* TestClock.adjust(Duration.seconds(5))
      yield* breaker.admit
      yield* breaker.neutral
      assert.deepStrictEqual(yield* breaker.state, { _tag: "HalfOpen", openings: 1, probing: false })
      yield* breaker.admit
      assert.deepStrictEqual(yield* breaker.state, { _tag: "HalfOpen", openings: 1, probing: true })
    }))
})
