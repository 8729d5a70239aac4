/**
 * The pipeline's metrics in Effect's registry: exported by OpenTelemetry when configured and rendered on
 * `/metrics`. Running totals (records, bytes, dead letters, gaps) live in `PipelineStats`; these add distributions
 * and per-file figures.
 */
import { Metric } from "effect"

export const batchRecords = Metric.histogram("aurora_logs_batch_records", {
  description: "Records per shipped batch.",
  boundaries: Metric.exponentialBoundaries({ start: 10, factor: 4, count: 8 })
})

export const batchBytes = Metric.histogram("aurora_logs_batch_bytes", {
  description: "Bytes of log text per shipped batch.",
  boundaries: Metric.exponentialBoundaries({ start: 4096, factor: 4, count: 8 })
})

export const shipDuration = Metric.timer("aurora_logs_ship_duration", {
  description: "Time to ship one batch, retries included."
})

/**
 * Per instance and file series (the file name without its date, so rotation does not add series): how long the
 * oldest unread bytes have waited, 0 when discovery is caught up.
 */
export const fileLag = Metric.gauge("aurora_logs_file_lag_seconds", {
  description: "Seconds since discovery was last caught up with the file; 0 when it is."
})
