/**
 * The demo's live progress line and its closing summary, computed from the pipeline's running figures.
 */
import type { PipelineStats } from "@aurora-logs/core"

const n = (x: number) => Math.round(x).toLocaleString("en-US")
const kib = (bytes: number) => (bytes < 1024 * 1024 ? `${n(bytes / 1024)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`)

export class DemoProgress {
  private lastRecords = 0
  private lastAt: number
  private readonly startedAt: number
  private readonly stats: PipelineStats
  constructor(stats: PipelineStats, now: number) {
    this.stats = stats
    this.startedAt = now
    this.lastAt = now
  }

  line(now: number): string {
    const s = this.stats
    const rate = ((s.recordsShipped - this.lastRecords) * 1000) / Math.max(1, now - this.lastAt)
    this.lastRecords = s.recordsShipped
    this.lastAt = now
    const streams = Array.from(s.byStream).sort().map(([k, v]) => `${k.replace(/^aurora_/, "")} ${n(v)}`).join(", ")
    return `[${Math.round((now - this.startedAt) / 1000)}s] instances ${s.instances} · files ${s.filesTailed} · ` +
      `${n(rate)} records/s · lag ${s.newestShippedMicros === 0 ? "-" : `${Math.max(0, (now - s.newestShippedMicros / 1000) / 1000).toFixed(1)} s`} · shipped ${n(s.recordsShipped)} (${streams || "-"}) · downloaded ${kib(s.bytesDownloaded)} · ` +
      `unread ${kib(s.unreadBytes)} · blocks in flight ${n(s.blocksInFlight)}${s.shipFailures > 0 ? ` · sink retries ${n(s.shipFailures)}` : ""}`
  }

  summary(now: number, where: string): string {
    const s = this.stats
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000)
    const lines = [
      `aurora-logs demo: ${n(s.recordsShipped)} records (${kib(s.bytesShipped)}) shipped in ${seconds.toFixed(1)} s, ${n(s.recordsShipped / seconds)} records/s`,
      ...Array.from(s.byStream).sort().map(([k, v]) => `  ${k.padEnd(28)} ${n(v).padStart(12)}`),
      `  instances ${s.instances}, files ${s.filesTailed}, downloaded ${kib(s.bytesDownloaded)}, batches ${n(s.batchesShipped)}`,
      `  unparsed ${n(s.unparsed)}, dead-lettered ${n(s.deadLettered)}, gaps ${s.gaps} (${kib(s.bytesLost)} lost), sink retries ${n(s.shipFailures)}`,
      `  output: ${where}`
    ]
    return lines.join("\n")
  }
}
