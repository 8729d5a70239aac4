import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ApiBudget } from "./ApiBudget.ts"

/** Starts `n` takes at once and reports how many finished after each adjustment of the clock. */
const takesDone = (budget: ApiBudget["Service"], n: number) =>
  Effect.gen(function*() {
    let done = 0
    const fibers = yield* Effect.forEach(
      Array.from({ length: n }),
      () => Effect.forkChild(Effect.tap(budget.take, () => Effect.sync(() => { done += 1 })), { startImmediately: true })
    )
    return { done: () => done, fibers }
  })

/** Moves the test clock and lets the fibers it woke run. */
const advance = (duration: Duration.Input) =>
  Effect.andThen(TestClock.adjust(duration), Effect.repeat(Effect.yieldNow, { times: 5 }))

describe("ApiBudget", () => {
  it.effect("spends the burst at once, then paces calls at the configured rate", () =>
    Effect.gen(function*() {
      const budget = yield* ApiBudget.make({ callsPerSecond: 2, burst: 2 })
      const run = yield* takesDone(budget, 6)
      assert.strictEqual(run.done(), 2)
      yield* advance("500 millis")
      assert.strictEqual(run.done(), 3)
      yield* advance("1500 millis")
      assert.strictEqual(run.done(), 6)
      yield* Fiber.joinAll(run.fibers)
    }))

  it.effect("halves the rate on throttling, once per burst of throttled answers", () =>
    Effect.gen(function*() {
      const budget = yield* ApiBudget.make({ callsPerSecond: 8, recovery: "80 seconds" })
      yield* budget.throttled
      yield* budget.throttled
      yield* budget.throttled
      assert.strictEqual(yield* budget.currentRate, 4)
      yield* TestClock.adjust("1001 millis")
      yield* budget.throttled
      assert.isBelow(yield* budget.currentRate, 2.2)
    }))

  it.effect("never cuts below the floor, and recovers linearly to the full rate", () =>
    Effect.gen(function*() {
      const budget = yield* ApiBudget.make({ callsPerSecond: 10, floorFraction: 0.1, recovery: "100 seconds" })
      for (let i = 0; i < 10; i++) {
        yield* budget.throttled
        yield* TestClock.adjust("1 second")
      }
      // Ten cuts a second apart: the rate sits at the floor (plus one second of recovery).
      assert.isBelow(yield* budget.currentRate, 1.2)
      yield* TestClock.adjust("50 seconds")
      const halfway = yield* budget.currentRate
      assert.isAbove(halfway, 5)
      assert.isBelow(halfway, 7)
      yield* TestClock.adjust("60 seconds")
      assert.strictEqual(yield* budget.currentRate, 10)
    }))

  it.effect("after a cut, waiting calls are paced at the lower rate", () =>
    Effect.gen(function*() {
      const budget = yield* ApiBudget.make({ callsPerSecond: 4, burst: 1, recovery: "1 hour" })
      yield* budget.take
      yield* budget.throttled
      const run = yield* takesDone(budget, 4)
      // At 2 calls/s (halved from 4) four calls need two seconds.
      yield* advance("1 second")
      assert.isAtMost(run.done(), 2)
      yield* advance("1100 millis")
      assert.strictEqual(run.done(), 4)
      yield* Fiber.joinAll(run.fibers)
    }))

  it.effect("layerConfig splits the account's budget by the replica's share", () =>
    Effect.gen(function*() {
      const budget = yield* ApiBudget
      assert.strictEqual(yield* budget.currentRate, 5)
    }).pipe(
      Effect.provide(
        ApiBudget.layerConfig.pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({
            AURORA_LOGS_RDS_CALLS_PER_SECOND: "20",
            AURORA_LOGS_RDS_BUDGET_SHARE: "0.25"
          })))
        )
      )
    ))

  it.effect("layerConfig refuses a share outside (0, 1]", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.provide(Effect.gen(function*() { return yield* ApiBudget }), ApiBudget.layerConfig.pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ AURORA_LOGS_RDS_BUDGET_SHARE: "3" })))
      )))
      assert.isTrue(exit._tag === "Failure")
    }))

  it.effect("a bad budget setting is a setting error naming its variable, in the project's grammar", () =>
    Effect.gen(function*() {
      const failure = (env: Record<string, string>) =>
        Effect.flip(Effect.provide(Effect.gen(function*() { return yield* ApiBudget }), ApiBudget.layerConfig.pipe(
          Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))
        )))
      const cases: Array<[Record<string, string>, string]> = [
        [{ AURORA_LOGS_RDS_CALLS_PER_SECOND: "0" }, "AURORA_LOGS_RDS_CALLS_PER_SECOND: expected a positive number, got \"0\""],
        [{ AURORA_LOGS_RDS_CALLS_PER_SECOND: "many" }, "AURORA_LOGS_RDS_CALLS_PER_SECOND: expected a positive number, got \"many\""],
        [{ AURORA_LOGS_RDS_BUDGET_SHARE: "2" }, "AURORA_LOGS_RDS_BUDGET_SHARE: expected a fraction above 0 and at most 1, such as 0.25, got \"2\""],
        [{ AURORA_LOGS_RDS_BUDGET_RECOVERY: "soon" }, "AURORA_LOGS_RDS_BUDGET_RECOVERY: expected a duration such as 500ms, 30s, 5m or 5h, got \"soon\""]
      ]
      for (const [env, message] of cases) {
        const error = yield* failure(env)
        assert.instanceOf(error, Config.ConfigError)
        assert.include(error.message, message)
      }
      const budget = yield* Effect.provide(Effect.gen(function*() { return yield* ApiBudget }), ApiBudget.layerConfig.pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ AURORA_LOGS_RDS_BUDGET_RECOVERY: "2m" })))
      ))
      assert.strictEqual(yield* budget.currentRate, 10)
    }))
})
