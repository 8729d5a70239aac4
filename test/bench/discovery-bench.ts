/**
 * Discovery benchmark (not part of the test suite): the one-process pipeline (`run` mode: discovery, in-process
 * bus, processor) against the RDS API emulator through the real AwsRdsLogs layer (@aws-sdk/client-rds over
 * loopback), on a fleet of Aurora instances whose log files replay the fixture records with fresh timestamps.
 *
 * 1. Catch-up: every file holds a backlog; one replica reads it all. Reports API calls by operation, MB downloaded,
 *    calls per MB, and wall time; the same downloads through `RdsLogs.layerMemory` (no HTTP) are the baseline.
 * 2. Steady state, once per budget: the files grow at their rates under `ApiBudget.layer({ callsPerSecond })`;
 *    the lag of each record (appended to the fleet -> received by the sink) over a window of `--seconds`, as
 *    p50 / p99 / max, and the API calls per second actually used.
 *
 *   cd /work/main && node_modules/.bin/node --conditions=source test/bench/discovery-bench.ts \
 *     [--instances 200] [--seconds 60] [--budget 10[,50]] [--backlog-seconds 10] [--busy-backlog-seconds 40] [--drain 120] \
 *     [--scan-interval 10000] [--concurrency 4] [--max-bytes-per-file-scan 16777216] [--flush-after 10000] \
 *     [--skip-catch-up] [--skip-steady]
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { ApiBudget, AwsRdsLogs } from "@aurora-logs/aws"
import {
  Cursors,
  CurrentPipelineStats,
  DeadLetters,
  type DeadLetter,
  type Instance,
  Leases,
  LogSink,
  PipelineStats,
  RdsLogs,
  runOneProcess,
  SimulatedFleet,
  type StartAt
} from "@aurora-logs/core"
import type { LogFormat } from "@aurora-logs/parsers"
import { fixtureRecords } from "@aurora-logs/testkit/fleet/DemoWorkload"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import { Effect, Fiber, Layer, Ref, Stream } from "effect"

const argv = process.argv.slice(2)
const flag = (name: string) => argv.includes(name)
const arg = (name: string, fallback: string) => {
  const i = argv.indexOf(name)
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] as string : fallback
}
const num = (name: string, fallback: number) => Number(arg(name, String(fallback)))
const INSTANCES = num("--instances", 200)
const SECONDS = num("--seconds", 60)
const BUDGETS = arg("--budget", "10").split(",").map(Number)
const BACKLOG_SECONDS = num("--backlog-seconds", 10)
/** The busy files get a longer backlog, so that catching up on files of several MB is measured too. */
const BUSY_BACKLOG_SECONDS = num("--busy-backlog-seconds", 40)
const DRAIN_SECONDS = num("--drain", 120)
/** The CLI's defaults (packages/cli/src/config/PipelineSettings.ts), so the figures describe `aurora-logs run`. */
const SCAN_INTERVAL_MS = num("--scan-interval", 10_000)
const CONCURRENCY = num("--concurrency", 4)
const MAX_BYTES_PER_FILE_SCAN = num("--max-bytes-per-file-scan", 16 * 1024 * 1024)
const FLUSH_AFTER_MS = num("--flush-after", 10_000)
const TICK_MS = 200
const MB = 1_000_000

// ---------------------------------------------------------------------------------------------------------------
// Workload: fixture records replayed with fresh timestamps, at a rate per file.

interface Source {
  readonly records: ReadonlyArray<string>
  readonly refresh: (text: string, now: number) => string
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0")
const utc = (ms: number) => {
  const d = new Date(ms)
  return { y: d.getUTCFullYear(), mo: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), h: pad(d.getUTCHours()), mi: pad(d.getUTCMinutes()), s: pad(d.getUTCSeconds()), ms: pad(d.getUTCMilliseconds(), 3) }
}
const isoMicros = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z")

const load = fixtureRecords

const PG_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? UTC/gm
const CSV_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} UTC/gm
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/gm
const SLOW_TIME = /^# Time: \S+/gm
const SLOW_SET = /^SET timestamp=\d+;/gm
const AUDIT_TIME = /^\d{16},/gm
const iso = (text: string, now: number) => text.replace(ISO_TIME, isoMicros(now))

const SOURCES = {
  pg: {
    records: load("postgres", "postgresql/postgresql.log.2026-11-26-0937"),
    refresh: (text: string, now: number) => {
      const t = utc(now)
      return text.replace(PG_TIME, `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s} UTC`)
    }
  },
  pgCsv: {
    records: load("postgres-csv", "postgresql/postgresql.log.2026-11-26-0939.csv"),
    refresh: (text: string, now: number) => {
      const t = utc(now)
      return text.replace(CSV_TIME, `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s}.${t.ms} UTC`)
    }
  },
  error: { records: load("mysql-error", "aurora-mysql/error/mysql-error-running.log"), refresh: iso },
  general: { records: load("mysql-general", "aurora-mysql/general/mysql-general.log.2026-11-26.08"), refresh: iso },
  slow: {
    records: load("mysql-slow", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.08"),
    refresh: (text: string, now: number) =>
      text.replace(SLOW_TIME, `# Time: ${isoMicros(now)}`).replace(SLOW_SET, `SET timestamp=${Math.floor(now / 1000)};`)
  },
  audit: {
    records: load("mysql-audit", "aurora-mysql/audit/audit.log.0.2026-11-26-09-34.0"),
    refresh: (text: string, now: number) => text.replace(AUDIT_TIME, `${now * 1000},`)
  }
} satisfies Record<string, Source>

/** A deterministic generator, so every run (and every phase) gets the same fleet. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

interface FileSpec {
  readonly instance: Instance
  readonly name: string
  readonly source: Source
  /** Bytes per second. */
  readonly rate: number
  /** The previous hour's PostgreSQL files: backlog only, never written again. */
  readonly closed: boolean
}

const fleetPlan = (count: number, start: number): { instances: Array<Instance>; files: Array<FileSpec> } => {
  const rnd = random(42)
  const now = utc(start)
  const prev = utc(start - 3_600_000)
  const hourly = (t: ReturnType<typeof utc>) => `error/postgresql.log.${t.y}-${t.mo}-${t.d}-${t.h}`
  const instances: Array<Instance> = []
  const files: Array<FileSpec> = []
  // Most files write a few KB/s; error logs less; about 4% are medium (10-30 KB/s) and 1% busy (~100 KB/s).
  const quiet = () => 500 * Math.pow(8, rnd())
  for (let i = 0; i < count; i++) {
    const engine = i % 2 === 0 ? "postgres" : "mysql"
    const instance: Instance = {
      id: `${engine === "postgres" ? "aurora-pg" : "aurora-mysql"}-${pad(i, 3)}`,
      cluster: `${engine === "postgres" ? "orders-pg" : "shop-mysql"}-${pad(Math.floor(i / 4), 3)}`,
      engine,
      role: i % 4 < 2 ? "writer" : "reader",
      region: "eu-west-1",
      tags: { env: "bench" }
    }
    instances.push(instance)
    if (engine === "postgres") {
      const stderr = quiet()
      const csv = quiet()
      files.push({ instance, name: hourly(prev), source: SOURCES.pg, rate: stderr, closed: true })
      files.push({ instance, name: `${hourly(prev)}.csv`, source: SOURCES.pgCsv, rate: csv, closed: true })
      files.push({ instance, name: hourly(now), source: SOURCES.pg, rate: stderr, closed: false })
      files.push({ instance, name: `${hourly(now)}.csv`, source: SOURCES.pgCsv, rate: csv, closed: false })
    } else {
      files.push({ instance, name: "error/mysql-error-running.log", source: SOURCES.error, rate: 100 + 400 * rnd(), closed: false })
      files.push({ instance, name: "slowquery/mysql-slowquery.log", source: SOURCES.slow, rate: quiet(), closed: false })
      files.push({ instance, name: "general/mysql-general.log", source: SOURCES.general, rate: quiet(), closed: false })
      files.push({ instance, name: `audit/audit.log.0.${now.y}-${now.mo}-${now.d}-${now.h}-00.0`, source: SOURCES.audit, rate: quiet(), closed: false })
    }
  }
  const candidates = files.filter((f) => !f.closed && !f.name.startsWith("error/mysql-error"))
  const busy = Math.max(1, Math.round(candidates.length * 0.01))
  const medium = Math.max(1, Math.round(candidates.length * 0.04))
  const rated = new Map<FileSpec, number>()
  for (let k = 0; k < busy + medium; k++) {
    const f = candidates[Math.floor((k * candidates.length) / (busy + medium))] as FileSpec
    rated.set(f, k < busy ? 90_000 + 20_000 * rnd() : 10_000 + 20_000 * rnd())
  }
  // A closed file shares its rate with the open file of its series, so the busy ones have busy yesterdays.
  const rateOf = new Map<string, number>()
  const final = files.map((f) => {
    const r = rated.get(f)
    if (r === undefined) return f
    rateOf.set(`${f.instance.id}/${f.source === SOURCES.pg ? "pg" : "csv"}`, r)
    return { ...f, rate: r }
  })
  return {
    instances,
    files: final.map((f) => {
      const r = f.closed ? rateOf.get(`${f.instance.id}/${f.source === SOURCES.pg ? "pg" : "csv"}`) : undefined
      return r === undefined ? f : { ...f, rate: r }
    })
  }
}

/** Per file, the byte ranges appended and when: the lag of a record is looked up by its offset. */
class AppendLog {
  private readonly files = new Map<string, { ends: Array<number>; times: Array<number>; counts: Array<number>; received: Array<number> }>()
  windowStart = Number.POSITIVE_INFINITY
  windowEnd = Number.POSITIVE_INFINITY
  readonly lags: Array<number> = []
  /** Per instance, the largest lag seen. */
  readonly maxByInstance = new Map<string, number>()
  /** Lags of records appended in the first and in the second half of the window: lag that grows shows here. */
  readonly firstHalf: Array<number> = []
  readonly secondHalf: Array<number> = []
  duplicates = 0
  outside = 0

  appended(key: string, end: number, at: number, count: number) {
    let f = this.files.get(key)
    if (f === undefined) this.files.set(key, f = { ends: [], times: [], counts: [], received: [] })
    f.ends.push(end)
    f.times.push(at)
    f.counts.push(count)
    f.received.push(0)
  }

  received(key: string, instance: string, offset: number, at: number) {
    const f = this.files.get(key)
    if (f === undefined) return void this.outside++
    let lo = 0
    let hi = f.ends.length - 1
    if (hi < 0 || offset >= (f.ends[hi] as number)) return void this.outside++
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((f.ends[mid] as number) > offset) hi = mid
      else lo = mid + 1
    }
    const t = f.times[lo] as number
    if (t < this.windowStart || t > this.windowEnd) return
    if ((f.received[lo] as number) >= (f.counts[lo] as number)) return void this.duplicates++
    f.received[lo] = (f.received[lo] as number) + 1
    const lag = at - t
    this.lags.push(lag)
    ;(t < (this.windowStart + this.windowEnd) / 2 ? this.firstHalf : this.secondHalf).push(lag)
    this.maxByInstance.set(instance, Math.max(this.maxByInstance.get(instance) ?? 0, lag))
  }

  /** Records appended in the window and not received yet, with the lag they have reached at `now`. */
  missing(now: number): { count: number; lags: Array<number> } {
    const lags: Array<number> = []
    let count = 0
    for (const f of this.files.values()) {
      for (let i = 0; i < f.times.length; i++) {
        const t = f.times[i] as number
        if (t < this.windowStart || t > this.windowEnd) continue
        const left = (f.counts[i] as number) - (f.received[i] as number)
        for (let k = 0; k < left; k++) lags.push(now - t)
        count += left
      }
    }
    return { count, lags }
  }
}

/** Writes whole records into the fleet; owed bytes carry over so each file keeps its rate on average. */
class Writer {
  private readonly owed = new Map<FileSpec, number>()
  private readonly next = new Map<FileSpec, number>()
  private readonly rnd = random(7)
  private readonly fleet: SimulatedFleet
  private readonly log: AppendLog | undefined
  bytes = 0
  records = 0
  constructor(fleet: SimulatedFleet, log: AppendLog | undefined) {
    this.fleet = fleet
    this.log = log
  }

  write(f: FileSpec, bytes: number, now: number) {
    let owed = (this.owed.get(f) ?? 0) + bytes
    let next = this.next.get(f) ?? Math.floor(this.rnd() * f.source.records.length)
    const parts: Array<string> = []
    let size = 0
    while (owed > 0) {
      const text = f.source.refresh(f.source.records[next % f.source.records.length] as string, now)
      next++
      parts.push(text)
      const n = Buffer.byteLength(text)
      owed -= n
      size += n
    }
    this.owed.set(f, owed)
    this.next.set(f, next)
    if (parts.length === 0) return
    this.fleet.append(f.instance.id, f.name, parts.join(""), now)
    this.bytes += size
    this.records += parts.length
    this.log?.appended(`${f.instance.id}/${f.name}`, this.fleet.bytes(f.instance.id, f.name)?.length ?? 0, now, parts.length)
  }
}

const buildFleet = (plan: ReturnType<typeof fleetPlan>, backlogSeconds: number, busyBacklogSeconds: number, log: AppendLog | undefined) => {
  const fleet = new SimulatedFleet()
  for (const i of plan.instances) fleet.addInstance(i)
  const writer = new Writer(fleet, log)
  const now = Date.now()
  // The backlog is written second by second with the timestamps of its second; closed files end an hour ago.
  for (const f of plan.files) {
    const end = f.closed ? now - 3_600_000 : now
    for (let s = f.rate >= 80_000 ? busyBacklogSeconds : backlogSeconds; s > 0; s--) writer.write(f, f.rate, end - s * 1000)
  }
  return { fleet, writer }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring: the RdsLogs calls discovery makes (reads per file), and a sink that timestamps what it receives.

class Reads {
  portionReads = 0
  portionBytes = 0
  completeBytes = 0
  listFiles = 0
  listInstances = 0
  readonly perFile = new Map<string, { reads: number; bytes: number }>()
}

const counted = (reads: Reads) =>
  Layer.effect(
    RdsLogs,
    Effect.gen(function*() {
      const inner = yield* RdsLogs
      return RdsLogs.of({
        listInstances: inner.listInstances.pipe(Effect.tap(() => Effect.sync(() => reads.listInstances++))),
        listFiles: (i) => inner.listFiles(i).pipe(Effect.tap(() => Effect.sync(() => reads.listFiles++))),
        downloadPortion: (i, f, m) =>
          inner.downloadPortion(i, f, m).pipe(Effect.tap((p) =>
            Effect.sync(() => {
              reads.portionReads++
              reads.portionBytes += p.data.length
              const key = `${i}/${f}`
              const e = reads.perFile.get(key) ?? { reads: 0, bytes: 0 }
              e.reads++
              e.bytes += p.data.length
              reads.perFile.set(key, e)
            })
          )),
        downloadComplete: (i, f, from) =>
          inner.downloadComplete(i, f, from).pipe(Stream.tap((chunk) => Effect.sync(() => void (reads.completeBytes += chunk.length))))
      })
    })
  )

const recordingSink = (log: AppendLog | undefined, shipped: { records: number }) =>
  Layer.succeed(
    LogSink,
    LogSink.of({
      ship: (records) =>
        Effect.sync(() => {
          const now = Date.now()
          shipped.records += records.length
          if (log !== undefined) for (const r of records) log.received(`${r.instance}/${r.file}`, r.instance, r.offset, now)
          return { rejected: [] }
        })
    })
  )

const pipeline = (startAt: StartAt, stats: PipelineStats) =>
  runOneProcess({
    discovery: {
      owner: "bench",
      scanIntervalMs: SCAN_INTERVAL_MS,
      leaseTtlMs: 30_000,
      limits: { maxBlockBytes: 512 * 1024, carryCap: 256 * 1024 },
      flushAfterMs: FLUSH_AFTER_MS,
      startAt,
      concurrency: CONCURRENCY,
      maxBytesPerFileScan: MAX_BYTES_PER_FILE_SCAN
    },
    processor: { group: "bench", batchRecords: 5000, batchBytes: 4 * 1024 * 1024, batchWaitMs: 1000, decoder: { maxRecordBytes: 16 * 1024 * 1024 } },
    maxBacklogBytes: 64 * 1024 * 1024
  }).pipe(Effect.provideService(CurrentPipelineStats, stats))

const awsLayer = (emulator: RdsEmulator) =>
  AwsRdsLogs.layer({ client: { endpoint: emulator.url, region: "eu-west-1", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } } })

const stateLayers = (letters: Ref.Ref<ReadonlyArray<DeadLetter>>) => Layer.mergeAll(Cursors.layerMemory, Leases.layerMemory, DeadLetters.layerMemory(letters))

const ACTIONS = ["DescribeDBClusters", "DescribeDBInstances", "DescribeDBLogFiles", "DownloadDBLogFilePortion", "DownloadCompleteLogFile"]
const snapshot = (emulator: RdsEmulator) => new Map(ACTIONS.map((a) => [a, emulator.callCount(a)] as const))
const sum = (m: ReadonlyMap<string, number>) => Array.from(m.values()).reduce((a, b) => a + b, 0)

const waitFor = (condition: () => boolean, deadline: number) =>
  Effect.gen(function*() {
    while (!condition() && Date.now() < deadline) yield* Effect.sleep(50)
    return condition()
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
const s = (ms: number) => (Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(1))
const fmt = (n: number, d = 2) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d })

// ---------------------------------------------------------------------------------------------------------------
// Phase 1: catch-up.

const catchUp = (label: "emulator" | "memory", plan: ReturnType<typeof fleetPlan>) =>
  Effect.gen(function*() {
    const { fleet, writer } = buildFleet(plan, BACKLOG_SECONDS, BUSY_BACKLOG_SECONDS, undefined)
    const total = writer.bytes
    const sizes = plan.files.map((f) => fleet.bytes(f.instance.id, f.name)?.length ?? 0)
    const emulator = label === "emulator" ? yield* RdsEmulator.scoped({ fleet }) : undefined
    const reads = new Reads()
    const stats = new PipelineStats()
    const shipped = { records: 0 }
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const rds = emulator !== undefined
      ? counted(reads).pipe(Layer.provide(awsLayer(emulator)), Layer.provide(ApiBudget.layerUnlimited))
      : counted(reads).pipe(Layer.provide(RdsLogs.layerMemory(fleet)))
    const cpu = process.cpuUsage()
    const t0 = Date.now()
    const fiber = yield* Effect.forkChild(pipeline({ _tag: "beginning" }, stats).pipe(
      Effect.provide(Layer.mergeAll(rds, stateLayers(letters), recordingSink(undefined, shipped)))
    ))
    const downloaded = yield* waitFor(() => reads.portionBytes + reads.completeBytes >= total, t0 + 600_000)
    const downloadMs = Date.now() - t0
    const cpuMs = (() => {
      const u = process.cpuUsage(cpu)
      return (u.user + u.system) / 1000
    })()
    const firstScanDone = yield* waitFor(() => stats.scans >= 1, t0 + 600_000)
    const scanMs = Date.now() - t0
    // The first scan reads every backlog whole (it is under the per-file cap): its calls are the catch-up's.
    const calls = emulator !== undefined ? snapshot(emulator) : undefined
    const readsAtScan = { ...reads }
    const idle = yield* waitFor(() => stats.idle, t0 + 600_000 + FLUSH_AFTER_MS)
    const shippedMs = Date.now() - t0
    yield* Fiber.interrupt(fiber)
    if (!downloaded || !firstScanDone || !idle) console.log(`!! ${label} catch-up did not finish in time (downloaded=${downloaded}, scanned=${firstScanDone}, idle=${idle})`)

    const bigFiles = Array.from(reads.perFile.values()).filter((e) => e.bytes > MB)
    const big = bigFiles.reduce((a, e) => ({ reads: a.reads + e.reads, bytes: a.bytes + e.bytes }), { reads: 0, bytes: 0 })
    // The fewest portion calls that can deliver what was read: one per started MB of each file.
    const minimum = Array.from(reads.perFile.values()).reduce((n, e) => n + Math.max(1, Math.ceil(e.bytes / 1_048_576)), 0)
    return {
      label,
      files: plan.files.length,
      total,
      over1MB: sizes.filter((n) => n > MB).length,
      largest: Math.max(...sizes),
      calls,
      reads: readsAtScan,
      big: { files: bigFiles.length, ...big },
      minimum,
      downloadMs,
      scanMs,
      shippedMs,
      cpuMs,
      records: shipped.records,
      letters: (yield* Ref.get(letters)).length
    }
  }).pipe(Effect.scoped)

type CatchUp = Effect.Success<ReturnType<typeof catchUp>>

const printCatchUp = (results: ReadonlyArray<CatchUp>) => {
  const r0 = results[0] as CatchUp
  console.log(`\n== catch-up: ${INSTANCES} instances, ${r0.files} files, backlog ${fmt(r0.total / MB, 1)} MB ` +
    `(${r0.over1MB} files > 1 MB, largest ${fmt(r0.largest / MB, 2)} MB), scan interval ${SCAN_INTERVAL_MS} ms, concurrency ${CONCURRENCY}`)
  for (const r of results) {
    const mbDown = (r.reads.portionBytes + r.reads.completeBytes) / MB
    console.log(`-- ${r.label === "emulator" ? "AwsRdsLogs -> emulator (HTTP, real SDK)" : "RdsLogs.layerMemory (baseline, no HTTP)"}`)
    if (r.calls !== undefined) {
      for (const [a, n] of r.calls) console.log(`   ${a.padEnd(26)} ${String(n).padStart(6)} calls`)
      const portion = r.calls.get("DownloadDBLogFilePortion") ?? 0
      console.log(`   total                      ${String(sum(r.calls)).padStart(6)} calls`)
      console.log(`   portion calls: ${portion} for ${fmt(r.reads.portionBytes / MB)} MB = ${fmt(portion / (r.reads.portionBytes / MB))} calls/MB; ` +
        `pipeline reads ${r.reads.portionReads} (so ${portion - r.reads.portionReads} calls were re-asks inside the reader); ` +
        `fewest possible ${r.minimum} (${fmt(portion / r.minimum)}x)`)
      console.log(`   all calls per MB downloaded: ${fmt(sum(r.calls) / mbDown)} (${fmt(mbDown)} MB: ${fmt(r.reads.portionBytes / MB)} portions + ${fmt(r.reads.completeBytes / MB)} complete)`)
      for (const b of BUDGETS) console.log(`   at a budget of ${b} calls/s these calls alone take ${fmt(sum(r.calls) / b, 0)} s`)
    } else {
      console.log(`   reads: ${r.reads.listInstances} fleet listings, ${r.reads.listFiles} file listings, ${r.reads.portionReads} portions (${fmt(r.reads.portionBytes / MB)} MB)`)
    }
    console.log(`   files > 1 MB read by portions: ${r.big.files}, ${r.big.reads} pipeline reads for ${fmt(r.big.bytes / MB)} MB = ${fmt(r.big.reads / (r.big.bytes / MB))} reads/MB`)
    console.log(`   wall: downloaded in ${s(r.downloadMs)} s (${fmt(mbDown / (r.downloadMs / 1000), 1)} MB/s, CPU ${s(r.cpuMs)} s), first scan done ${s(r.scanMs)} s, ` +
      `all ${r.records} records shipped ${s(r.shippedMs)} s (includes the ${FLUSH_AFTER_MS / 1000} s flush of each open file's last record); dead letters ${r.letters}`)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Phase 2: steady state under a budget.

const steady = (budget: number, plan: ReturnType<typeof fleetPlan>) =>
  Effect.gen(function*() {
    const log = new AppendLog()
    const { fleet, writer } = buildFleet(plan, 1, 1, log)
    const emulator = yield* RdsEmulator.scoped({ fleet })
    const stats = new PipelineStats()
    const shipped = { records: 0 }
    const reads = new Reads()
    const letters = yield* Ref.make<ReadonlyArray<DeadLetter>>([])
    const rds = counted(reads).pipe(Layer.provide(awsLayer(emulator)), Layer.provide(ApiBudget.layer({ callsPerSecond: budget })))
    const active = plan.files.filter((f) => !f.closed)
    const rate = active.reduce((n, f) => n + f.rate, 0)
    let last = Date.now()
    const writing = yield* Effect.forkChild(Effect.forever(Effect.gen(function*() {
      yield* Effect.sleep(TICK_MS)
      const now = Date.now()
      for (const f of active) writer.write(f, (f.rate * (now - last)) / 1000, now)
      last = now
    })))
    const t0 = Date.now()
    const fiber = yield* Effect.forkChild(pipeline({ _tag: "now" }, stats).pipe(
      Effect.provide(Layer.mergeAll(rds, stateLayers(letters), recordingSink(log, shipped)))
    ))
    // Discovery starts at the end of each file on its first scan, so only records appended after it count.
    yield* waitFor(() => stats.scans >= 1, t0 + 900_000)
    const firstScanMs = Date.now() - t0
    log.windowStart = Date.now()
    const calls0 = snapshot(emulator)
    const scans0 = stats.scans
    const bytes0 = writer.bytes
    yield* Effect.sleep(SECONDS * 1000)
    log.windowEnd = Date.now()
    const calls1 = snapshot(emulator)
    const scans1 = stats.scans
    const appendedMB = (writer.bytes - bytes0) / MB
    // Writing goes on while the window's records drain, so the load stays what it was.
    const drained = yield* waitFor(() => log.missing(Date.now()).count === 0, log.windowEnd + DRAIN_SECONDS * 1000)
    const end = Date.now()
    const scansEnd = stats.scans
    yield* Fiber.interrupt(writing)
    yield* Fiber.interrupt(fiber)
    const missing = log.missing(end)
    const windowS = (log.windowEnd - log.windowStart) / 1000
    const delta = new Map(ACTIONS.map((a) => [a, (calls1.get(a) ?? 0) - (calls0.get(a) ?? 0)] as const))
    const sorted = [...log.lags].sort((a, b) => a - b)
    const withMissing = [...log.lags, ...missing.lags].sort((a, b) => a - b)
    const perInstance = Array.from(log.maxByInstance.values()).sort((a, b) => a - b)
    const med = (xs: Array<number>) => percentile(xs.sort((a, b) => a - b), 50)
    return {
      budget,
      rate,
      firstScanMs,
      windowS,
      appendedMB,
      delivered: log.lags.length,
      missing: missing.count,
      drained,
      duplicates: log.duplicates,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? Number.NaN,
      p50all: percentile(withMissing, 50),
      p99all: percentile(withMissing, 99),
      firstHalfP50: med(log.firstHalf),
      secondHalfP50: med(log.secondHalf),
      instanceMax: { min: perInstance[0] ?? Number.NaN, median: percentile(perInstance, 50), max: perInstance.at(-1) ?? Number.NaN, count: perInstance.length },
      callsPerSecond: sum(delta) / windowS,
      delta,
      scansInWindow: scans1 - scans0,
      scanPeriodS: (end - log.windowStart) / 1000 / Math.max(1, scansEnd - scans0),
      letters: (yield* Ref.get(letters)).length
    }
  }).pipe(Effect.scoped)

type Steady = Effect.Success<ReturnType<typeof steady>>

const printSteady = (results: ReadonlyArray<Steady>) => {
  if (results.length === 0) return
  const r0 = results[0] as Steady
  console.log(`\n== steady state: ${INSTANCES} instances, ${Math.round(r0.rate / 1000)} KB/s appended in total, window ${SECONDS} s, ` +
    `scan interval ${SCAN_INTERVAL_MS} ms, concurrency ${CONCURRENCY}, max ${MAX_BYTES_PER_FILE_SCAN} bytes per file per scan`)
  console.log("budget | calls/s used | first scan s | scan period s | records | lag p50 s | p99 s | max s | undelivered | p50 / p99 incl. undelivered | p50 1st / 2nd half | per-instance max lag min / med / max s")
  for (const r of results) {
    console.log([
      String(r.budget).padStart(6),
      fmt(r.callsPerSecond, 1).padStart(12),
      s(r.firstScanMs).padStart(12),
      fmt(r.scanPeriodS, 1).padStart(13),
      String(r.delivered).padStart(7),
      s(r.p50).padStart(9),
      s(r.p99).padStart(5),
      s(r.max).padStart(5),
      String(r.missing).padStart(11),
      `${s(r.p50all)} / ${s(r.p99all)}`.padStart(27),
      `${s(r.firstHalfP50)} / ${s(r.secondHalfP50)}`.padStart(18),
      `${s(r.instanceMax.min)} / ${s(r.instanceMax.median)} / ${s(r.instanceMax.max)} (${r.instanceMax.count} instances)`
    ].join(" | "))
    console.log(`       calls in the window: ${Array.from(r.delta, ([a, n]) => `${a} ${n}`).join(", ")}; ${fmt(r.appendedMB, 1)} MB appended; ` +
      `${r.scansInWindow} scans completed in the window; duplicates ${r.duplicates}; dead letters ${r.letters}`)
  }
}

const main = Effect.gen(function*() {
  const plan = fleetPlan(INSTANCES, Date.now())
  const active = plan.files.filter((f) => !f.closed)
  const rates = active.map((f) => f.rate).sort((a, b) => a - b)
  console.log(`fleet: ${plan.instances.length} instances, ${plan.files.length} files (${active.length} growing), ` +
    `${Math.round(rates.reduce((a, b) => a + b, 0) / 1000)} KB/s in total; per file median ${fmt(percentile(rates, 50) / 1000, 1)} KB/s, ` +
    `${rates.filter((r) => r >= 10_000).length} files >= 10 KB/s, ${rates.filter((r) => r >= 80_000).length} >= 80 KB/s; Node ${process.version}, load ${
      (NodeFs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "))
    }`)
  if (!flag("--skip-catch-up")) {
    const results: Array<CatchUp> = []
    results.push(yield* catchUp("emulator", plan))
    results.push(yield* catchUp("memory", plan))
    printCatchUp(results)
  }
  if (!flag("--skip-steady")) {
    const results: Array<Steady> = []
    for (const budget of BUDGETS) {
      results.push(yield* steady(budget, plan))
      printSteady(results.slice(-1))
    }
    if (results.length > 1) printSteady(results)
  }
})

await Effect.runPromise(main)
