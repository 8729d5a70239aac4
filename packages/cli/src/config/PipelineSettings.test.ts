import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { HealthPort } from "../server/HealthServer.ts"
import { oneProcessConfig } from "./PipelineSettings.ts"

const failureOf = <A>(effect: Effect.Effect<A, { readonly message: string }>) =>
  effect.pipe(Effect.flip, Effect.map((e) => e.message))

describe("pipeline settings", () => {
  it.effect("refuse a count of zero or less, which would stall the pipeline", () =>
    Effect.gen(function*() {
      for (const [name, raw] of [["AURORA_LOGS_BATCH_RECORDS", "0"], ["AURORA_LOGS_BATCH_RECORDS", "-1"], ["AURORA_LOGS_CONCURRENCY", "0"], ["AURORA_LOGS_CONCURRENCY", "-3"]]) {
        const message = yield* failureOf(oneProcessConfig.parse(ConfigProvider.fromEnvRecord({ [name]: raw })))
        assert.include(message, `${name}: expected a positive integer, got "${raw}"`)
      }
    }))

  it.effect("refuse a zero lease or scan interval", () =>
    Effect.gen(function*() {
      for (const name of ["AURORA_LOGS_LEASE_TTL", "AURORA_LOGS_SCAN_INTERVAL"]) {
        const message = yield* failureOf(oneProcessConfig.parse(ConfigProvider.fromEnvRecord({ [name]: "0" })))
        assert.include(message, `${name}: expected a duration above zero`)
      }
    }))

  it.effect("keep the defaults and accept positive values", () =>
    Effect.gen(function*() {
      const s = yield* oneProcessConfig.parse(ConfigProvider.fromEnvRecord({ AURORA_LOGS_CONCURRENCY: "8" }))
      assert.strictEqual(s.discovery.concurrency, 8)
      assert.strictEqual(s.processor.batchRecords, 2500)
      assert.strictEqual(s.discovery.leaseTtlMs, 30_000)
    }))
})

describe("AURORA_LOGS_HTTP_PORT", () => {
  it.effect("is a port number from 0 to 65535, named when it is not", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* HealthPort.parse(ConfigProvider.fromEnvRecord({})), 9464)
      assert.strictEqual(yield* HealthPort.parse(ConfigProvider.fromEnvRecord({ AURORA_LOGS_HTTP_PORT: "0" })), 0)
      for (const raw of ["70000", "-1", "http"]) {
        const message = yield* failureOf(HealthPort.parse(ConfigProvider.fromEnvRecord({ AURORA_LOGS_HTTP_PORT: raw })))
        assert.include(message, `AURORA_LOGS_HTTP_PORT: expected a port number from 0 to 65535, got "${raw}"`)
      }
    }))
})
