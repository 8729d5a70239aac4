/**
 * The summary `aurora-logs parse --stats` prints: counts of records, lines and bytes, by severity
 * and log type, durations, connections and unparsed records.
 */
import { logTypeOf, type LogFormat } from "./Format.ts"
import type { ParsedRecord } from "./Types.ts"

export interface ParseStatsJson {
  records: number
  lines: number
  bytes: number
  by_severity: Record<string, number>
  by_log_type: Record<string, number>
  duration: { count: number; sum_ms: number }
  connections: number
  disconnections: number
  unparsed: number
}

/** The severity key of records without one (slow, general and audit logs). */
export const NO_SEVERITY = "(none)"

export class ParseStats {
  private records = 0
  private lines = 0
  private bytes = 0
  private readonly bySeverity = new Map<string, number>()
  private readonly byLogType = new Map<string, number>()
  private durationCount = 0
  /** Summed in integer microseconds so that the total is exact for the 3-decimal values logs write. */
  private durationSumMicros = 0
  private connections = 0
  private disconnections = 0
  private unparsed = 0

  /**
   * Counts one record. Connections are successful connection events (PostgreSQL `connection
   * authorized`, a general-log `Connect` that was not denied, an audit CONNECT row); disconnections are
   * `disconnection`, `Quit` and DISCONNECT. `lines` defaults to the "\n" count of the record's text when
   * the caller does not say (see addLines).
   */
  add(record: ParsedRecord, format: LogFormat, textBytes: number): void {
    this.records++
    this.bytes += textBytes
    const severity = record.severity ?? NO_SEVERITY
    this.bySeverity.set(severity, (this.bySeverity.get(severity) ?? 0) + 1)
    const logType = logTypeOf(format)
    this.byLogType.set(logType, (this.byLogType.get(logType) ?? 0) + 1)
    if (record.duration_ms !== undefined) {
      this.durationCount++
      this.durationSumMicros += Math.round(record.duration_ms * 1000)
    }
    if (record.event === "connection_authorized") this.connections++
    else if (record.event === "disconnection") this.disconnections++
    if (record.parse_error !== undefined) this.unparsed++
  }

  /** Adds physical lines (the caller counts them on the bytes it read). */
  addLines(lines: number): void {
    this.lines += lines
  }

  /** Adds bytes that belong to no record (none today; kept for callers that skip data). */
  addBytes(bytes: number): void {
    this.bytes += bytes
  }

  toJSON(): ParseStatsJson {
    return {
      records: this.records,
      lines: this.lines,
      bytes: this.bytes,
      by_severity: Object.fromEntries([...this.bySeverity].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      by_log_type: Object.fromEntries([...this.byLogType].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      duration: { count: this.durationCount, sum_ms: this.durationSumMicros / 1000 },
      connections: this.connections,
      disconnections: this.disconnections,
      unparsed: this.unparsed
    }
  }
}

/** Number of "\n" in bytes[from, to). */
export function countLines(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let count = 0
  let i = bytes.indexOf(10, from)
  while (i >= 0 && i < to) {
    count++
    i = bytes.indexOf(10, i + 1)
  }
  return count
}
