import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { allClusters, clusterSelected, fleetFilterConfig, matchesGlob } from "./FleetFilter.ts"

describe("FleetFilter", () => {
  it("globs match whole ids, with * and ?", () => {
    assert.isTrue(matchesGlob("prod-*", "prod-orders"))
    assert.isFalse(matchesGlob("prod-*", "preprod-orders"))
    assert.isTrue(matchesGlob("db-?", "db-1"))
    assert.isFalse(matchesGlob("db.1", "db-1"))
  })

  it("by default every cluster is shipped", () => {
    assert.isTrue(clusterSelected(allClusters, "anything", {}))
  })

  it("needs every included tag, and drops on any excluded id or tag", () => {
    const filter = { includeClusters: ["*"], excludeClusters: ["*-scratch"], includeTags: ["env=prod*", "logs"], excludeTags: ["logs=off"] }
    assert.isTrue(clusterSelected(filter, "orders", { env: "production", logs: "on" }))
    assert.isFalse(clusterSelected(filter, "orders", { env: "production" }))
    assert.isFalse(clusterSelected(filter, "orders", { env: "production", logs: "off" }))
    assert.isFalse(clusterSelected(filter, "orders-scratch", { env: "production", logs: "on" }))
  })

  it.effect("reads comma-separated lists from the environment", () =>
    Effect.gen(function*() {
      const filter = yield* fleetFilterConfig
      assert.deepStrictEqual(filter, { includeClusters: ["prod-*", "billing"], excludeClusters: [], includeTags: ["team=db"], excludeTags: [] })
    }).pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({
      AURORA_LOGS_CLUSTERS_INCLUDE: "prod-*, billing",
      AURORA_LOGS_CLUSTER_TAGS_INCLUDE: "team=db"
    })))))
})
