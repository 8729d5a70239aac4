import { assert, describe, it } from "@effect/vitest"
import { Cause, Config, ConfigProvider, Effect, Exit, Layer } from "effect"
import { ApiBudget } from "./ApiBudget.ts"
import * as AwsRdsLogs from "./AwsRdsLogs.ts"
import { DynamoState } from "./DynamoState.ts"

describe("AwsRdsLogs", () => {
  it.effect("without a region, stops with a setting error naming AWS_REGION", () =>
    Effect.gen(function*() {
      const layer = AwsRdsLogs.layer({ client: { region: "" } }).pipe(Layer.provide(ApiBudget.layerUnlimited))
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(layer)))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      assert.instanceOf(error, Config.ConfigError)
      assert.match((error as Config.ConfigError).message, /AWS_REGION: required/)
    }))
})

describe("AwsRdsLogs settings", () => {
  it.effect("a count of lines or retries that makes no sense is refused, naming its variable", () =>
    Effect.gen(function*() {
      const cases: Array<[Record<string, string>, string]> = [
        [{ AURORA_LOGS_RDS_PORTION_LINES: "0" }, "AURORA_LOGS_RDS_PORTION_LINES: expected a positive integer, got \"0\""],
        [{ AURORA_LOGS_RDS_MAX_RETRIES: "-1" }, "AURORA_LOGS_RDS_MAX_RETRIES: expected an integer >= 0, got \"-1\""]
      ]
      for (const [env, message] of cases) {
        const error = yield* Effect.flip(Layer.build(AwsRdsLogs.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env))))))
        assert.include(error.message, message)
      }
    }))

  it.effect("AURORA_LOGS_DYNAMODB_ITEM_TTL is a duration in the project's grammar", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(DynamoState.layerConfig.pipe(
        Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({ AURORA_LOGS_DYNAMODB_ITEM_TTL: "soon" })))
      )))
      assert.include(error.message, "AURORA_LOGS_DYNAMODB_ITEM_TTL: expected a duration such as 500ms, 30s, 5m or 5h, got \"soon\"")
    }))
})
