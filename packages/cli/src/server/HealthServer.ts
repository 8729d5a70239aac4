/**
 * The health and metrics endpoints of a long-running process: `/livez` answers while the process runs (it must not
 * fail during a sink or bus outage, or every pod would be restarted at once), `/readyz` says whether the pipeline is
 * making progress, `/metrics` exposes its figures to Prometheus.
 */
import * as NodeHttp from "node:http"
import { checkedSetting, CurrentPipelineStats, type PipelineStats } from "@aurora-logs/core"
import { Config, Effect, Layer } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { prometheusText } from "./PrometheusText.ts"

export interface Readiness {
  /** Discovery runs here: a scan must have completed within this many ms. */
  readonly scanWithinMs?: number
  /** Processing runs here: with work in flight, a batch must have been shipped within this many ms. */
  readonly shipWithinMs?: number
}

export const readiness = (stats: PipelineStats, now: number, r: Readiness): { readonly ready: boolean; readonly why: string } => {
  const waiting = stats.waitingFor === "" ? "" : `waiting for: ${stats.waitingFor}`
  if (r.scanWithinMs !== undefined && now - stats.lastScanAt > r.scanWithinMs) {
    const stalled = stats.scans === 0 ? "no scan completed yet" : `last scan ${Math.round((now - stats.lastScanAt) / 1000)} s ago`
    return { ready: false, why: waiting === "" ? stalled : `${stalled}; ${waiting}` }
  }
  // Before the first scan or batch, a dependency still out of reach (Kafka while the processor starts) means not ready.
  if (waiting !== "" && stats.scans === 0 && stats.batchesShipped === 0 && r.scanWithinMs === undefined) return { ready: false, why: waiting }
  const inFlight = stats.blocksInFlight
  if (r.shipWithinMs !== undefined && inFlight > 0 && stats.lastShipAt > 0 && now - stats.lastShipAt > r.shipWithinMs) {
    return { ready: false, why: `${inFlight} blocks waiting, last batch shipped ${Math.round((now - stats.lastShipAt) / 1000)} s ago` }
  }
  return { ready: true, why: "ok" }
}

/** 0 picks a free port (tests). Checked here: Node's own refusal of a bad port would not name the setting. */
export const HealthPort = checkedSetting(
  "AURORA_LOGS_HTTP_PORT",
  "a port number from 0 to 65535",
  (raw) => (/^\d+$/.test(raw) && Number(raw) <= 65535 ? Number(raw) : undefined)
).pipe(Config.withDefault(9464))

/** Serves the endpoints on `port` (0 picks a free one) for as long as the layer lives. */
export const healthServerLayer = (port: number, r: Readiness) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const stats = yield* CurrentPipelineStats
    // Effect's own metrics (RDS API calls and throttles, the sink's counters) are rendered from this context.
    const context = yield* Effect.context<never>()
    const server = yield* Effect.acquireRelease(
      Effect.callback<NodeHttp.Server>((resume) => {
        const s: NodeHttp.Server = NodeHttp.createServer((req, res) => {
          const now = Date.now()
          const path = (req.url ?? "/").split("?")[0]
          if (path === "/livez" || path === "/healthz") {
            res.writeHead(200, { "content-type": "text/plain" }).end("ok\n")
          } else if (path === "/readyz") {
            const state = readiness(stats, now, r)
            res.writeHead(state.ready ? 200 : 503, { "content-type": "text/plain" }).end(`${state.why}\n`)
          } else if (path === "/metrics") {
            const effectMetrics = PrometheusMetrics.formatUnsafe(context)
            res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(prometheusText(stats, now) + effectMetrics)
          } else {
            res.writeHead(404).end()
          }
        })
        // Node's "listen EADDRINUSE ..." would not say which setting chose the port.
        s.on("error", (e: NodeJS.ErrnoException) =>
          resume(Effect.die(new Error(`AURORA_LOGS_HTTP_PORT: cannot listen on port ${port}: ${e.code === "EADDRINUSE" ? "address already in use" : e.message}`))))
        s.listen(port, "0.0.0.0", () => resume(Effect.succeed(s)))
      }),
      (s) =>
        Effect.callback<void>((resume) => {
          s.close(() => resume(Effect.void))
          s.closeAllConnections()
        })
    )
    const address = server.address()
    yield* Effect.logInfo(`health and metrics on :${typeof address === "object" && address !== null ? address.port : port} (/livez, /readyz, /metrics)`)
  }))
