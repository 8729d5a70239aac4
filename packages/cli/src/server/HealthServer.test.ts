import * as NodeHttp from "node:http"
import { PipelineStats } from "@aurora-logs/core"
import { Cause, Effect, Exit, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { healthServerLayer, readiness } from "./HealthServer.ts"

describe("readiness", () => {
  it("says what the pipeline waits for when it makes no progress", () => {
    const stats = new PipelineStats()
    stats.waitingFor = "RdsError: connect ECONNREFUSED 127.0.0.1:1"
    expect(readiness(stats, 120_000, { scanWithinMs: 90_000 })).toEqual({
      ready: false,
      why: "no scan completed yet; waiting for: RdsError: connect ECONNREFUSED 127.0.0.1:1"
    })
  })

  it("while it starts, is not ready as long as it waits for a dependency", () => {
    const stats = new PipelineStats()
    expect(readiness(stats, 1000, { shipWithinMs: 300_000 })).toEqual({ ready: true, why: "ok" })
    stats.waitingFor = "cannot reach Kafka at 127.0.0.1:1"
    expect(readiness(stats, 1000, { shipWithinMs: 300_000 })).toEqual({ ready: false, why: "waiting for: cannot reach Kafka at 127.0.0.1:1" })
  })

  it("a retry after the first progress does not flip readiness", () => {
    const stats = new PipelineStats()
    stats.scans = 1
    stats.lastScanAt = 1000
    stats.waitingFor = "Throttled"
    expect(readiness(stats, 2000, { scanWithinMs: 90_000 })).toEqual({ ready: true, why: "ok" })
  })
})

describe("health server", () => {
  it("a port already in use is reported naming AURORA_LOGS_HTTP_PORT", async () => {
    const busy = NodeHttp.createServer()
    await new Promise<void>((resolve) => busy.listen(0, "0.0.0.0", resolve))
    const port = (busy.address() as { port: number }).port
    try {
      const exit = await Effect.runPromise(Effect.exit(Effect.scoped(Layer.build(healthServerLayer(port, {})))))
      const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
      expect(String((error as Error)?.message)).toBe(`AURORA_LOGS_HTTP_PORT: cannot listen on port ${port}: address already in use`)
    } finally {
      busy.close()
    }
  })
})
