/**
 * The pipeline's own settings, read from `AURORA_LOGS_*` environment variables through Effect `Config` and
 * validated at start. docs/configuration.md lists each one with its default.
 */
import * as NodeOs from "node:os"
import type { OneProcessOptions, StartAt } from "@aurora-logs/core"
import { Config, ConfigProvider, Duration, Effect } from "effect"

const env = (name: string) => `AURORA_LOGS_${name}`
const ms = (name: string, fallback: Duration.Input) =>
  Config.Duration(env(name)).pipe(Config.withDefault(fallback), Config.map((d) => Duration.toMillis(d)))
const int = (name: string, fallback: number) => Config.Int(env(name)).pipe(Config.withDefault(fallback))
const UNITS: Record<string, number> = { b: 1, kb: 1000, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3 }

/** A size: a number of bytes (`524288`) or a number with a unit (`512KiB`, `4 MiB`, `1MB`). */
export const parseByteSize = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = m === null ? undefined : UNITS[(m[2] || "b").toLowerCase()]
  return m === null || unit === undefined ? undefined : Math.round(Number(m[1]) * unit)
}

const bytes = (name: string, fallback: number) =>
  Config.String(env(name)).pipe(
    Config.mapEffect((text) => {
      const n = parseByteSize(text)
      return n !== undefined && n > 0
        ? Effect.succeed(n)
        : Effect.fail(new Config.ConfigError(new ConfigProvider.SourceError({
          message: `${env(name)}: expected a size such as 524288, 512KiB or 4MiB, got "${text}"`
        })))
    }),
    Config.withDefault(fallback)
  )

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
        catch: (e) =>
          new Config.ConfigError(new ConfigProvider.SourceError({
            message: `${env("REDACT_PATTERNS")}: expected comma-separated regular expressions (${String(e)})`
          }))
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
  scanIntervalMs: ms("SCAN_INTERVAL", "10 seconds"),
  leaseTtlMs: ms("LEASE_TTL", "30 seconds"),
  flushAfterMs: ms("FLUSH_AFTER", "10 seconds"),
  maxBlockBytes: bytes("MAX_BLOCK_BYTES", 512 * 1024),
  carryCap: bytes("CARRY_CAP", 256 * 1024),
  concurrency: int("CONCURRENCY", 4),
  maxBytesPerFileScan: bytes("MAX_BYTES_PER_FILE_SCAN", 16 * 1024 * 1024),
  startAt: startAtConfig,
  batchRecords: int("BATCH_RECORDS", 5000),
  batchBytes: bytes("BATCH_BYTES", 4 * 1024 * 1024),
  batchWaitMs: ms("BATCH_WAIT", "1 second"),
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
