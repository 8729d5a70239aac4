/**
 * The figures of the RDS boundary: API calls by operation and outcome, throttling, bytes downloaded, and how often
 * a pitfall forced a fallback. Exported through whatever metrics layer the process installs (Prometheus, OTLP).
 */
import { Effect, Metric } from "effect"

const calls = Metric.counter("aurora_logs_rds_api_calls_total", {
  description: "RDS API calls by operation and outcome (ok, or the RdsError reason)",
  incremental: true
})
const throttles = Metric.counter("aurora_logs_rds_throttles_total", {
  description: "RDS API calls answered with Throttling",
  incremental: true
})
const bytes = Metric.counter("aurora_logs_rds_bytes_downloaded_total", {
  description: "Log bytes downloaded from the RDS API, by operation",
  incremental: true
})
const fallbacks = Metric.counter("aurora_logs_rds_fallbacks_total", {
  description: "Portions that needed the complete-file download or were delivered cut, by kind",
  incremental: true
})

export const recordCall = (operation: string, outcome: string): Effect.Effect<void> =>
  Effect.andThen(
    Metric.update(Metric.withAttributes(calls, { operation, outcome }), 1),
    outcome === "Throttled" ? Metric.update(Metric.withAttributes(throttles, { operation }), 1) : Effect.void
  )

export const recordBytes = (operation: string, count: number): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(bytes, { operation }), count)

/** `long_line`, `binary`, `repair` (overlap or gap), `truncated` (a line delivered cut). */
export const recordFallback = (kind: "long_line" | "binary" | "repair" | "truncated"): Effect.Effect<void> =>
  Metric.update(Metric.withAttributes(fallbacks, { kind }), 1)
