import { assert, describe, it } from "@effect/vitest"
import { Cause, Config, Effect, Exit, Layer } from "effect"
import { ApiBudget } from "./ApiBudget.ts"
import * as AwsRdsLogs from "./AwsRdsLogs.ts"

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
