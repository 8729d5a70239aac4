/**
 * The pipeline's own settings, read from `AURORA_LOGS_*` environment variables through Effect `Config` and
 * validated at start. docs/configuration.md lists each one with its default.
 */
import * as NodeOs from "node:os"
import {
  byteSizeSetting,
  checkedSetting,
  durationSetting,
  invalidSetting,
  type OneProcessOptions,
  parseDuration,
  positiveIntSetting,
  type StartAt
} from "@aurora-logs/core"
import { Config, Duration, Effect } from "effect"

const env = (name: string) => `AURORA_LOGS_${name}`
const ms = (name: string, fallback: Duration.Input) =>
  durationSetting(env(name)).pipe(Config.withDefault(Duration.fromInputUnsafe(fallback)), Config.map((d) => Duration.toMillis(d)))
// A count of zero or less would stall the pipeline (a batch that never fills) rather than fail: refused at start.
const int = (name: string, fallback: number) => positiveIntSetting(env(name)).pipe(Config.withDefault(fallback))
// A zero lease expires as it is taken and a zero scan interval spins: both need a duration above zero.
const positiveMs = (name: string, fallback: Duration.Input) =>
  checkedSetting(env(name), "a duration above zero such as 500ms, 30s, 5m or 5h", (raw) => {
    const d = parseDuration(raw)
    return d !== undefined && Duration.toMillis(d) > 0 ? d : undefined
  }).pipe(Config.withDefault(Duration.fromInputUnsafe(fallback)), Config.map((d) => Duration.toMillis(d)))
const bytes = (name: string, fallback: number) => byteSizeSetting(env(name)).pipe(Config.withDefault(fallback))

export const dataDirConfig = Config.String(env("DATA_DIR")).pipe(Config.withDefault("./.aurora-logs"))

export const startAtConfig: Config.Config<StartAt> = Config.all({
  mode: Config.Literals(["beginning", "now", "since"], env("START_AT")).pipe(Config.withDefault("since" as const)),
  since: ms("START_SINCE", "5 hours")
}).pipe(Config.map(({ mode, since }): StartAt => (mode === "since" ? { _tag: "since", ms: since } : { _tag: mode })))

export const parseSettingsConfig = Config.all({
  redact: Config.Boolean(env("REDACT")).pipe(Config.withDefault(true)),
  redactPatterns: Config.String(env("REDACT_PATTERNS")).pipe(
    Config.withDefault(""),
    Config.mapEffect((s) =>
      Effect.try({
        try: () => s.split(",").map((p) => p.trim()).filter((p) => p.length > 0).map((p) => new RegExp(p, "g")),
        catch: (e) => invalidSetting(env("REDACT_PATTERNS"), `expected comma-separated regular expressions (${String(e)})`)
      }))
  ),
  logLinePrefix: Config.String(env("LOG_LINE_PREFIX")).pipe(Config.withDefault("%t:%r:%u@%d:[%p]:")),
  maxRecordBytes: bytes("MAX_RECORD_BYTES", 16 * 1024 * 1024)
})

/** Distributed discovery: how often cursors are written to the state store (docs/configuration.md). */
export const cursorWriteConfig = Config.all({
  cursorWriteIntervalMs: ms("CURSOR_WRITE_INTERVAL", "15 seconds"),
  cursorWriteBytes: bytes("CURSOR_WRITE_BYTES", 8 * 1024 * 1024)
})

/** Everything the one-process pipeline needs; the run mode may override where reading starts. */
export const oneProcessConfig: Config.Config<OneProcessOptions> = Config.all({
  owner: Config.String(env("REPLICA_ID")).pipe(Config.withDefault(NodeOs.hostname())),
  scanIntervalMs: positiveMs("SCAN_INTERVAL", "10 seconds"),
  leaseTtlMs: positiveMs("LEASE_TTL", "30 seconds"),
  flushAfterMs: ms("FLUSH_AFTER", "10 seconds"),
  maxBlockBytes: bytes("MAX_BLOCK_BYTES", 512 * 1024),
  carryCap: bytes("CARRY_CAP", 256 * 1024),
  concurrency: int("CONCURRENCY", 4),
  maxBytesPerFileScan: bytes("MAX_BYTES_PER_FILE_SCAN", 16 * 1024 * 1024),
  startAt: startAtConfig,
  batchRecords: int("BATCH_RECORDS", 2500),
  batchBytes: bytes("BATCH_BYTES", 4 * 1024 * 1024),
  batchWaitMs: ms("BATCH_WAIT", "1 second"),
  shipLanes: checkedSetting(env("SHIP_LANES"), "an integer from 1 to 64", (raw) => (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 64 ? Number(raw) : undefined))
    .pipe(Config.withDefault(2)),
  maxBacklogBytes: bytes("MAX_BACKLOG_BYTES", 64 * 1024 * 1024),
  parse: parseSettingsConfig,
  streamTemplate: Config.String("OPENOBSERVE_STREAM_TEMPLATE").pipe(Config.withDefault("aurora_{source}"))
}).pipe(Config.map((s): OneProcessOptions => ({
  discovery: {
    owner: s.owner,
    scanIntervalMs: s.scanIntervalMs,
    leaseTtlMs: s.leaseTtlMs,
    limits: { maxBlockBytes: s.maxBlockBytes, carryCap: s.carryCap },
    flushAfterMs: s.flushAfterMs,
    startAt: s.startAt,
    concurrency: s.concurrency,
    maxBytesPerFileScan: s.maxBytesPerFileScan
  },
  processor: {
    group: "aurora-logs",
    batchRecords: s.batchRecords,
    batchBytes: s.batchBytes,
    batchWaitMs: s.batchWaitMs,
    shipLanes: s.shipLanes,
    streamTemplate: s.streamTemplate,
    decoder: {
      maxRecordBytes: s.parse.maxRecordBytes,
      redact: s.parse.redact,
      redactPatterns: s.parse.redactPatterns,
      logLinePrefix: s.parse.logLinePrefix
    }
  },
  maxBacklogBytes: s.maxBacklogBytes
})))
