/**
 * The pipeline's running figures in Prometheus' text exposition format, for `/metrics`.
 */
import type { PipelineStats } from "@aurora-logs/core"

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

export const prometheusText = (stats: PipelineStats, now: number): string => {
  const out: Array<string> = []
  const metric = (name: string, type: "counter" | "gauge", help: string, value: number, labels?: Record<string, string>) => {
    out.push(`# HELP aurora_logs_${name} ${help}`, `# TYPE aurora_logs_${name} ${type}`)
    const l = labels === undefined ? "" : `{${Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(",")}}`
    out.push(`aurora_logs_${name}${l} ${value}`)
  }
  metric("instances", "gauge", "Aurora instances listed at the last scan.", stats.instances)
  metric("files_tailed", "gauge", "Log file generations with a working cursor.", stats.filesTailed)
  metric("bytes_downloaded_total", "counter", "Bytes downloaded from the RDS API.", stats.bytesDownloaded)
  metric("blocks_published_total", "counter", "Blocks published to the bus.", stats.blocksPublished)
  metric("blocks_completed_total", "counter", "Blocks whose every record was shipped.", stats.blocksCompleted)
  metric("unread_bytes", "gauge", "Bytes listed but not yet published, at the end of the last scan.", stats.unreadBytes)
  metric("records_out_total", "counter", "Records accepted by the sink.", stats.recordsShipped)
  metric("bytes_out_total", "counter", "Bytes of log text shipped.", stats.bytesShipped)
  metric("batches_total", "counter", "Batches shipped.", stats.batchesShipped)
  metric("sink_retries_total", "counter", "Failed ship attempts that were retried.", stats.shipFailures)
  metric("dead_letters_total", "counter", "Records sent to the dead-letter path.", stats.deadLettered)
  metric("unparsed_total", "counter", "Records shipped with a parse_error.", stats.unparsed)
  metric("gaps_total", "counter", "Files (or generations) that expired or were replaced before they were fully read.", stats.gaps)
  metric("bytes_lost_total", "counter", "Bytes in those gaps.", stats.bytesLost)
  metric("reads_rotated_away_total", "counter", "Reads of an active file renamed away while they were made: dropped and read again from the renamed file.", stats.readsRotatedAway)
  metric("late_blocks_skipped_total", "counter", "Blocks a discovery replica published after losing their file, which the new holder's blocks already held: skipped.", stats.lateBlocksSkipped)
  metric("lag_seconds", "gauge", "Now minus the timestamp of the newest record shipped.", stats.newestShippedMicros === 0 ? 0 : Math.max(0, now / 1000 - stats.newestShippedMicros / 1e6))
  out.push("# HELP aurora_logs_records_by_stream_total Records accepted by the sink, per stream.", "# TYPE aurora_logs_records_by_stream_total counter")
  for (const [stream, n] of stats.byStream) out.push(`aurora_logs_records_by_stream_total{stream="${escape(stream)}"} ${n}`)
  return out.join("\n") + "\n" + processText(process.memoryUsage(), process.cpuUsage())
}

/**
 * The process's own memory and CPU under the names Prometheus' Node.js clients use, so that existing dashboards and
 * a container's memory limit can be read against them: V8's heap, and the Buffers outside it (Kafka fetches,
 * request bodies), which are most of a busy processor's resident memory.
 */
const processText = (memory: NodeJS.MemoryUsage, cpu: NodeJS.CpuUsage): string => {
  const out: Array<string> = []
  const sample = (name: string, type: "counter" | "gauge", help: string, value: number) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`)
  sample("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", memory.rss)
  sample("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", (cpu.user + cpu.system) / 1e6)
  sample("nodejs_heap_size_total_bytes", "gauge", "V8's heap size in bytes.", memory.heapTotal)
  sample("nodejs_heap_size_used_bytes", "gauge", "V8's heap in use, in bytes.", memory.heapUsed)
  sample("nodejs_external_memory_bytes", "gauge", "Memory of objects outside V8's heap bound to JavaScript objects (Buffers among them), in bytes.", memory.external)
  sample("nodejs_array_buffers_bytes", "gauge", "Memory of ArrayBuffers and Buffers, in bytes (part of the external memory).", memory.arrayBuffers)
  return out.join("\n") + "\n"
}
