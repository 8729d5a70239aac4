/**
 * Processor benchmark (not part of the test suite; bounded in time; stops by itself). On a real broker:
 *
 *   1. a fresh topic is pre-filled with PostgreSQL blocks cut by the real framer from the stderr fixtures, replayed
 *      with shifted timestamps (every `_timestamp` between 3 h and 1 h ago: inside OpenObserve's 5 h ingestion
 *      window, so the sink neither re-stamps nor loses any), until --records records;
 *   2. baseline: a consume-only child process reads the whole topic with a fresh group through the project's
 *      KafkaLogBus consumer, committing after each chunk, no parsing (as bus-bench.ts does);
 *   3. the real `aurora-logs processor` (a child process running the bundled command packages/cli/bundle/main.js,
 *      as the container image does, with the V8 flags and allocator settings of the processor's Kubernetes
 *      Deployment, deployed-processor.ts; `tsc -b` and scripts/bundle.ts build it first; `--source` runs
 *      packages/cli/src/main.ts instead, and `ENTRY=dist|bundle|source` in a `--set` runs that one from the
 *      compiled packages, the bundle or the sources) consumes the topic with a fresh group and ships
 *      to the OpenObserve stand-in (`keep: "count"`, its own child process) over loopback, compression and HTTP
 *      included, until the stand-in has counted every record; then SIGTERM. `--bulk-errors-only` makes the
 *      stand-in answer as an OpenObserve with `ZO_BULK_RESPONSE_INCLUDE_ERRORS_ONLY=true` (failed items only);
 *      `--sink-latency-ms N` makes it answer each request N ms after processing it (a remote OpenObserve's network
 *      and storage time, which loopback lacks).
 *
 * Figures per run: wall time (from the moment the process is ready to join the group to the last record counted),
 * records/s, MB/s of block text, CPU (user + system, from /proc/<pid>/stat, i.e. every thread: JS, GC, libuv pool
 * with zlib) over the same window and per record, peak RSS (VmHWM from /proc/<pid>/status); also the stand-in's and
 * the broker's CPU over the window, since all three share this machine's cores.
 *
 *   cd /work/main && node_modules/.bin/node --conditions=source test/bench/processor-bench.ts \
 *     [--records 1000000] [--partitions 8] [--block-kb 512] [--timeout 300] [--profile] [--source] \
 *     [--bulk-errors-only] [--sink-latency-ms 50] [--set AURORA_LOGS_BATCH_RECORDS=10000,OPENOBSERVE_CONCURRENCY=2 ...]
 *
 * Each `--set` adds one processor run with those extra environment variables (after the default run, on the same
 * topic, each with a fresh group); `NODE_ARGS` among them goes on Node's command line after the deployed flags
 * (V8 flags: NODE_OPTIONS does not accept all of them). `--profile` adds a run of the defaults under `--cpu-prof`
 * and prints where the processor's main thread spends its time (cpu-profile-summary.ts). `--no-default` skips the
 * default run.
 */
import { type ChildProcess, fork, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import * as NodeOs from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Block, frame, type Instance, LogBus } from "@aurora-logs/core"
import { KafkaLogBus, makeSettings } from "@aurora-logs/kafka"
import { reachable } from "@aurora-logs/kafka/testing/TestBroker"
import { recordStarts } from "@aurora-logs/parsers"
import { OpenObserveStandIn } from "@aurora-logs/testkit/openobserve/OpenObserveStandIn"
import { Effect, Layer, References, Stream } from "effect"
import { bundleCli, DEFAULT_BUNDLE_DIR } from "../../scripts/bundle.ts"
import { printSummary, summarise } from "./cpu-profile-summary.ts"
import { deployedAllocatorEnv, deployedProcessorFlags, describeDeployed } from "./deployed-processor.ts"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))
const SELF = fileURLToPath(import.meta.url)
/** Where the processor can run from: the bundle is what the container image runs (built at the start, as is dist). */
const ENTRIES = {
  bundle: join(DEFAULT_BUNDLE_DIR, "main.js"),
  dist: join(ROOT, "packages", "cli", "dist", "main.js"),
  source: join(ROOT, "packages", "cli", "src", "main.ts")
} as const
type Entry = keyof typeof ENTRIES
const FROM_SOURCE = process.argv.includes("--source")
const DEFAULT_ENTRY: Entry = FROM_SOURCE ? "source" : "bundle"
const BROKERS = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim()).filter((b) => b.length > 0)
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100

const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const numArg = (name: string, fallback: number) => Number(argOf(name) ?? fallback)
const quiet = Layer.succeed(References.MinimumLogLevel, "Warn")

// ---------------------------------------------------------------------------------------------------------------
// Child roles: the stand-in, and the consume-only baseline.
// ---------------------------------------------------------------------------------------------------------------

type StandInReply = { readonly type: "stats"; readonly accepted: number; readonly requests: number; readonly cpuMicros: number; readonly maxRssKb: number }

const BULK_ERRORS_ONLY = process.argv.includes("--bulk-errors-only")
/** `--sink-latency-ms N`: the stand-in answers N ms after processing each request, as a remote OpenObserve would. */
const SINK_LATENCY_MS = numArg("--sink-latency-ms", 0)

const standInRole = () =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    process.on("message", (m: { type: string }) => {
      if (m.type !== "stats") return
      Effect.runPromise(Effect.all([standIn.acceptedCounts, standIn.requests])).then(([counts, requests]) => {
        let accepted = 0
        for (const n of counts.values()) accepted += n
        const cpu = process.cpuUsage()
        const reply: StandInReply = { type: "stats", accepted, requests: requests.length, cpuMicros: cpu.user + cpu.system, maxRssKb: process.resourceUsage().maxRSS }
        process.send!(reply)
      })
    })
    process.send!({ type: "ready", url: standIn.url, user: standIn.user, password: standIn.password })
    yield* Effect.callback<void>((resume) => void process.on("disconnect", () => resume(Effect.void)))
  }).pipe(Effect.provide(OpenObserveStandIn.layer({ keep: "count", bulkErrorsOnly: BULK_ERRORS_ONLY, answerDelayMs: SINK_LATENCY_MS }))))).then(() => process.exit(0))

interface ConsumeResult {
  readonly type: "done"
  readonly messages: number
  readonly bytes: number
  readonly seconds: number
  readonly firstMessageSeconds: number
  readonly cpuMicros: number
  readonly maxRssKb: number
}

const consumeRole = () => {
  const topic = argOf("--topic")!
  const expected = numArg("--expected", 0)
  const settings = makeSettings(BROKERS, { topic, replication: 1, partitions: numArg("--partitions", 8) })
  return Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const bus = yield* LogBus
    const cpu = process.cpuUsage()
    const started = performance.now()
    let first = 0
    const consumer = yield* bus.consumer(`bench-consume-${Date.now().toString(36)}`)
    let seen = 0
    let bytes = 0
    yield* consumer.messages.pipe(
      Stream.take(expected),
      Stream.runForEachArray((chunk) => {
        if (seen === 0) first = performance.now()
        seen += chunk.length
        const positions = new Map<number, number>()
        for (const m of chunk) {
          bytes += m.block.data.length
          positions.set(m.partition, Math.max(positions.get(m.partition) ?? 0, m.offset + 1))
        }
        return consumer.commit(positions)
      })
    )
    const used = process.cpuUsage(cpu)
    const result: ConsumeResult = {
      type: "done",
      messages: seen,
      bytes,
      seconds: (performance.now() - started) / 1000,
      firstMessageSeconds: (first - started) / 1000,
      cpuMicros: used.user + used.system,
      maxRssKb: process.resourceUsage().maxRSS
    }
    process.send!(result)
  }).pipe(Effect.provide(Layer.merge(KafkaLogBus.layer(settings), quiet))))).then(() => process.exit(0))
}

// ---------------------------------------------------------------------------------------------------------------
// /proc readings of a child (Linux).
// ---------------------------------------------------------------------------------------------------------------

/** utime + stime of every thread of `pid`, in microseconds. */
const cpuOf = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK
  } catch {
    return undefined
  }
}

const statusKb = (pid: number, key: "VmHWM" | "VmRSS"): number | undefined => {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))
    return m === null ? undefined : Number(m[1])
  } catch {
    return undefined
  }
}

interface MemoryAtEnd {
  readonly heapUsed: number
  readonly heapTotal: number
  readonly external: number
  readonly arrayBuffers: number
}

/** The memory figures of the processor's /metrics (its port is in its "health and metrics on :PORT" log line). */
const scrapeMemory = async (output: string): Promise<MemoryAtEnd | undefined> => {
  const port = /health and metrics on :(\d+)/.exec(output)?.[1]
  if (port === undefined) return undefined
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text()
    const mib = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN) / 2 ** 20
    return {
      heapUsed: mib("nodejs_heap_size_used_bytes"),
      heapTotal: mib("nodejs_heap_size_total_bytes"),
      external: mib("nodejs_external_memory_bytes"),
      arrayBuffers: mib("nodejs_array_buffers_bytes")
    }
  } catch {
    return undefined
  }
}

const brokerPid = (): number | undefined => {
  const port = BROKERS[0]?.split(":").pop() ?? "9092"
  const file = process.env.KAFKA_STATE_DIR !== undefined
    ? join(process.env.KAFKA_STATE_DIR, "kafka.pid")
    : join(process.env.TMPDIR ?? "/tmp", `aurora-logs-kafka-${port}`, "kafka.pid")
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, "utf8").trim())
  return cpuOf(pid) === undefined ? undefined : pid
}

/** The newest source file under packages/NAME/src (others edit them while benchmarks run: say what each run ran). */
const newestSource = (): string => {
  let best = { ms: 0, path: "" }
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) walk(path)
      else if (e.name.endsWith(".ts")) {
        const ms = statSync(path).mtimeMs
        if (ms > best.ms) best = { ms, path }
      }
    }
  }
  for (const pkg of readdirSync(join(ROOT, "packages"))) if (existsSync(join(ROOT, "packages", pkg, "src"))) walk(join(ROOT, "packages", pkg, "src"))
  return `${new Date(best.ms).toISOString().slice(11, 19)} ${best.path.slice(ROOT.length)}`
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------------------------
// The topic's content: fixture replays with shifted timestamps, framed like discovery frames.
// ---------------------------------------------------------------------------------------------------------------

const FIXTURES = join(ROOT, "packages/testkit/fixtures/postgresql")
const FIXTURE_NAMES = ["0937", "0938", "0939", "0940"].map((m) => `postgresql.log.2026-11-26-${m}`)
const TIMESTAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC:/gm
const pad = (n: number) => String(n).padStart(2, "0")
const formatTs = (ms: number) => {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

interface Fixture {
  readonly bytes: Buffer
  readonly records: number
  /** Byte positions and epoch ms of the `%t` timestamps (19 ASCII bytes each). */
  readonly stamps: ReadonlyArray<readonly [number, number]>
}

const fixtures: ReadonlyArray<Fixture> = FIXTURE_NAMES.map((name) => {
  const bytes = readFileSync(join(FIXTURES, name))
  const text = bytes.toString("latin1") // one char per byte: match positions are byte positions
  const stamps: Array<readonly [number, number]> = []
  for (const m of text.matchAll(TIMESTAMP)) stamps.push([m.index, Date.parse(m[1]!.replace(" ", "T") + "Z")])
  return { bytes, records: recordStarts("postgres", bytes).length, stamps }
})
const fixtureBase = Math.min(...fixtures.flatMap((f) => f.stamps.map(([, ms]) => ms)))
const recordsPerReplay = fixtures.reduce((n, f) => n + f.records, 0)
const bytesPerReplay = fixtures.reduce((n, f) => n + f.bytes.length, 0)

const INSTANCES: ReadonlyArray<Instance> = [1, 2, 3, 4].map((i) => ({
  id: `bench-pg-${i}`,
  cluster: "bench",
  engine: "postgres",
  role: i === 1 ? "writer" : "reader",
  region: "eu-west-1",
  tags: {}
}))
const FILES = 32

// ---------------------------------------------------------------------------------------------------------------
// The parent.
// ---------------------------------------------------------------------------------------------------------------

interface StandInHandle {
  readonly child: ChildProcess
  readonly url: string
  readonly user: string
  readonly password: string
  readonly stats: () => Promise<StandInReply>
}

const startStandIn = async (): Promise<StandInHandle> => {
  const child = fork(SELF, ["--role", "stand-in", ...(BULK_ERRORS_ONLY ? ["--bulk-errors-only"] : []), "--sink-latency-ms", String(SINK_LATENCY_MS)], { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const ready = await new Promise<{ url: string; user: string; password: string }>((resolve) => child.once("message", resolve as never))
  let waiting: Array<(r: StandInReply) => void> = []
  child.on("message", (m: StandInReply) => {
    if (m.type !== "stats") return
    const w = waiting
    waiting = []
    for (const f of w) f(m)
  })
  return {
    child,
    ...ready,
    stats: () =>
      new Promise((resolve) => {
        waiting.push(resolve)
        child.send({ type: "stats" })
      })
  }
}

interface RunResult {
  readonly label: string
  readonly env: Readonly<Record<string, string>>
  readonly complete: boolean
  readonly records: number
  /** Ready (group about to be joined) to last record counted. */
  readonly seconds: number
  /** Process spawn to last record counted. */
  readonly sinceSpawnSeconds: number
  readonly firstBatchSeconds: number
  readonly cpuMicros: number
  readonly startupCpuMicros: number
  readonly hwmKb: number
  readonly rssEndKb: number
  readonly standInCpuMicros: number
  readonly brokerCpuMicros: number | undefined
  readonly exitCode: number | null
  readonly stopSeconds: number
  readonly warnings: ReadonlyArray<string>
  readonly outputTail: string
  /** The process's own account of its memory at the end (its /metrics), in MiB; undefined if it did not answer. */
  readonly memoryAtEnd: MemoryAtEnd | undefined
  readonly profileDir: string | undefined
}

const runProcessor = async (
  label: string,
  topic: string,
  partitions: number,
  totalRecords: number,
  standIn: StandInHandle,
  extraEnv: Readonly<Record<string, string>>,
  timeoutSeconds: number,
  profile: boolean
): Promise<RunResult> => {
  const group = `bench-proc-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
  const profileDir = profile ? mkdtempSync(join(NodeOs.tmpdir(), "processor-prof-")) : undefined
  const before = (await standIn.stats())
  const standInCpu0 = before.cpuMicros
  const broker = brokerPid()
  const brokerCpu0 = broker === undefined ? undefined : cpuOf(broker)
  const env: Record<string, string> = {
    ...process.env as Record<string, string>,
    ...deployedAllocatorEnv(),
    KAFKA_BROKERS: BROKERS.join(","),
    AURORA_LOGS_KAFKA_TOPIC: topic,
    AURORA_LOGS_KAFKA_GROUP: group,
    AURORA_LOGS_KAFKA_PARTITIONS: String(partitions),
    AURORA_LOGS_KAFKA_REPLICATION: "1",
    OPENOBSERVE_URL: standIn.url,
    OPENOBSERVE_USER: standIn.user,
    OPENOBSERVE_PASSWORD: standIn.password,
    AURORA_LOGS_HTTP_PORT: "0",
    // The deployed flags only (below), unless a run sets NODE_OPTIONS itself.
    NODE_OPTIONS: "",
    ...extraEnv
  }
  // V8 flags go on the command line (NODE_OPTIONS refuses some), the deployed ones first: later ones win.
  const nodeArgs = [...deployedProcessorFlags(), ...(env.NODE_ARGS ?? "").split(" ").filter((a) => a.length > 0)]
  delete env.NODE_ARGS
  const entry = (env.ENTRY ?? DEFAULT_ENTRY) as Entry
  if (!(entry in ENTRIES)) throw new Error(`ENTRY=${entry}: expected one of ${Object.keys(ENTRIES).join(", ")}`)
  delete env.ENTRY
  const execArgv = [
    ...nodeArgs,
    ...(entry === "source" ? ["--conditions=source"] : []),
    ...(profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]),
    ENTRIES[entry],
    "processor"
  ]
  // process.execPath is Node itself (node_modules/.bin/node is a shell wrapper: its pid would not be Node's).
  const spawned = performance.now()
  const child = spawn(process.execPath, execArgv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
  const pid = child.pid!
  let output = ""
  let readyAt: number | undefined
  let readyCpu = 0
  const onData = (d: Buffer) => {
    output += d.toString()
    if (output.length > 1_000_000) output = output.slice(-500_000)
    if (readyAt === undefined && output.includes("consumer group")) {
      readyAt = performance.now()
      readyCpu = cpuOf(pid) ?? 0
    }
  }
  child.stdout!.on("data", onData)
  child.stderr!.on("data", onData)
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(exitCode = code)))

  const deadline = spawned + timeoutSeconds * 1000
  let firstAt: number | undefined
  let lastCount = 0
  let lastProgress = performance.now()
  let count = 0
  let cpuEnd = 0
  let hwm = 0
  let rss = 0
  let standInCpuEnd = standInCpu0
  while (exitCode === undefined) {
    const s = await standIn.stats()
    const now = performance.now()
    const cpu = cpuOf(pid)
    if (cpu !== undefined) cpuEnd = cpu
    hwm = statusKb(pid, "VmHWM") ?? hwm
    rss = statusKb(pid, "VmRSS") ?? rss
    count = s.accepted - before.accepted
    standInCpuEnd = s.cpuMicros
    if (count > 0 && firstAt === undefined) firstAt = now
    if (count !== lastCount) {
      lastCount = count
      lastProgress = now
    }
    if (count >= totalRecords) break
    if (now > deadline) break
    if (firstAt !== undefined && now - lastProgress > 30_000) break // stalled
    await sleep(50)
  }
  const endAt = performance.now()
  const brokerCpuEnd = broker === undefined ? undefined : cpuOf(broker)
  const memoryAtEnd = await scrapeMemory(output)
  const stopping = performance.now()
  child.kill("SIGTERM")
  const killer = setTimeout(() => child.kill("SIGKILL"), 30_000)
  const code = await exited
  clearTimeout(killer)
  const start = readyAt ?? spawned
  const warnings = output.split("\n").filter((l) => /\] (WARN|ERROR|FATAL) /.test(l) && !l.includes("TimeoutNegativeWarning")).slice(0, 5)
  return {
    label,
    env: extraEnv,
    complete: count >= totalRecords,
    records: count,
    seconds: (endAt - start) / 1000,
    sinceSpawnSeconds: (endAt - spawned) / 1000,
    firstBatchSeconds: ((firstAt ?? endAt) - start) / 1000,
    cpuMicros: cpuEnd - readyCpu,
    startupCpuMicros: readyCpu,
    hwmKb: hwm,
    rssEndKb: rss,
    memoryAtEnd,
    standInCpuMicros: standInCpuEnd - standInCpu0,
    brokerCpuMicros: brokerCpu0 === undefined || brokerCpuEnd === undefined ? undefined : brokerCpuEnd - brokerCpu0,
    exitCode: code,
    stopSeconds: (performance.now() - stopping) / 1000,
    warnings,
    outputTail: output.slice(-3000),
    profileDir
  }
}

const consumeOnly = (topic: string, partitions: number, expected: number): Promise<ConsumeResult & { readonly brokerCpuMicros: number | undefined }> => {
  const broker = brokerPid()
  const brokerCpu0 = broker === undefined ? undefined : cpuOf(broker)
  const child = fork(SELF, ["--role", "consume", "--topic", topic, "--expected", String(expected), "--partitions", String(partitions)], {
    execArgv: process.execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  return new Promise((resolve, reject) => {
    child.once("message", (m: ConsumeResult) => {
      const brokerCpuEnd = broker === undefined ? undefined : cpuOf(broker)
      resolve({ ...m, brokerCpuMicros: brokerCpu0 === undefined || brokerCpuEnd === undefined ? undefined : brokerCpuEnd - brokerCpu0 })
    })
    child.once("exit", (code) => reject(new Error(`consume-only child exited with ${code} before reporting`)))
  })
}

const main = async () => {
  const wanted = numArg("--records", 1_000_000)
  const partitions = numArg("--partitions", 8)
  const blockKb = numArg("--block-kb", 512)
  const timeout = numArg("--timeout", 300)
  const profile = process.argv.includes("--profile")
  const sets: Array<Record<string, string>> = []
  process.argv.forEach((a, i) => {
    if (a !== "--set") return
    const env: Record<string, string> = {}
    for (const kv of (process.argv[i + 1] ?? "").split(",")) {
      const eq = kv.indexOf("=")
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1)
    }
    sets.push(env)
  })
  const mb = (bytes: number) => bytes / 1e6
  const started = Date.now()
  if (!FROM_SOURCE) {
    const build = spawnSync(join(ROOT, "node_modules", ".bin", "tsc"), ["-b"], { cwd: ROOT, stdio: "inherit", timeout: 300_000 })
    if (build.status !== 0) throw new Error("tsc -b failed: the processor runs from the built output")
    await bundleCli()
  }
  const git = spawnSync("git", ["log", "-1", "--format=%h %cI"], { cwd: ROOT, encoding: "utf8" }).stdout.trim()
  const dirty = spawnSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).stdout.trim().split("\n").filter((l) => l.length > 0).length
  console.log(`# Processor benchmark, ${new Date().toISOString()}`)
  console.log(`Node ${process.version}, ${NodeOs.cpus().length} cores (${NodeOs.cpus()[0]?.model}), load ${NodeOs.loadavg().map((l) => l.toFixed(1)).join(" ")}; git ${git} + ${dirty} changed/untracked files`)
  console.log(`processor: ${FROM_SOURCE ? "TypeScript sources" : "bundled command"} (${ENTRIES[DEFAULT_ENTRY].slice(ROOT.length)}), ${describeDeployed()}; stand-in bulk answers: ${BULK_ERRORS_ONLY ? "failed items only (ZO_BULK_RESPONSE_INCLUDE_ERRORS_ONLY=true)" : "every item (OpenObserve's default)"}; stand-in answer delay: ${SINK_LATENCY_MS} ms`)

  // ---- broker ----
  let up = false
  for (const b of BROKERS) if (await reachable(b)) up = true
  if (!up) {
    console.log(`no broker answers at ${BROKERS.join(",")}: starting one with bash scripts/kafka/start.sh`)
    const r = spawnSync("bash", [join(ROOT, "scripts/kafka/start.sh")], { cwd: ROOT, stdio: "inherit", timeout: 180_000 })
    if (r.status !== 0) throw new Error("scripts/kafka/start.sh failed")
  }

  // ---- the topic ----
  const replays = Math.ceil(wanted / recordsPerReplay)
  const totalRecords = replays * recordsPerReplay
  const now = Date.now()
  const topic = `bench-proc-${now.toString(36)}`
  const settings = makeSettings(BROKERS, { topic, partitions, replication: 1 })
  const offsets = new Array<number>(FILES).fill(0)
  let totalBlocks = 0
  let totalBytes = 0
  /** Replay `i`: every fixture once, timestamps moved to (now - 3 h) + i * (2 h / replays), into file i % FILES. */
  const replayBlocks = (i: number): Array<Block> => {
    const delta = now - 3 * 3_600_000 + Math.floor((i * 2 * 3_600_000) / replays) - fixtureBase
    const f = i % FILES
    const instance = INSTANCES[f % INSTANCES.length]!
    const file = `error/postgresql.log.bench-${String(f).padStart(2, "0")}`
    const cache = new Map<number, string>()
    const out: Array<Block> = []
    for (const fixture of fixtures) {
      const bytes = Buffer.from(fixture.bytes)
      for (const [at, ms] of fixture.stamps) {
        let text = cache.get(ms)
        if (text === undefined) cache.set(ms, text = formatTs(ms + delta))
        bytes.write(text, at, "latin1")
      }
      const framed = frame("postgres", new Uint8Array(0), offsets[f]!, false, bytes, true, { maxBlockBytes: blockKb * 1024, carryCap: 256 * 1024 })
      offsets[f]! += bytes.length
      for (const b of framed.blocks) {
        out.push({ instance: instance.id, file, generation: 0, source: instance, format: "postgres", offset: b.offset, data: b.data, partial: b.partial, continuation: b.continuation, fence: 1 })
        totalBytes += b.data.length
      }
    }
    totalBlocks += out.length
    return out
  }
  const publishStarted = performance.now()
  await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const bus = yield* LogBus
    yield* Effect.forEach(Array.from({ length: replays }, (_, i) => i), (i) => bus.publish(replayBlocks(i)), { concurrency: 4, discard: true })
  }).pipe(Effect.provide(Layer.merge(KafkaLogBus.layer(settings), quiet)))))
  const publishSeconds = (performance.now() - publishStarted) / 1000
  console.log(
    `topic ${topic}: ${partitions} partitions, ${totalBlocks} blocks (≤ ${blockKb} KiB, ${FILES} files of ${INSTANCES.length} instances), ` +
      `${totalRecords.toLocaleString("en")} records, ${mb(totalBytes).toFixed(1)} MB of log text (${replays} replays of the 4 stderr fixtures, ` +
      `${recordsPerReplay} records / ${mb(bytesPerReplay).toFixed(2)} MB each); published in ${publishSeconds.toFixed(1)} s`
  )

  // ---- baseline: consume only ----
  const base = await consumeOnly(topic, partitions, totalBlocks)
  if (base.messages !== totalBlocks) throw new Error(`consume-only read ${base.messages} of ${totalBlocks} messages`)

  // ---- processor runs ----
  const standIn = await startStandIn()
  const runs: Array<[string, Record<string, string>, boolean]> = []
  if (!process.argv.includes("--no-default")) runs.push(["defaults", {}, false])
  for (const env of sets) runs.push([Object.entries(env).map(([k, v]) => `${k}=${v}`).join(" "), env, false])
  if (profile) runs.push(["defaults, --cpu-prof", {}, true])
  const results: Array<RunResult> = []
  for (const [label, env, prof] of runs) {
    console.log(`run "${label}" starts at ${new Date().toISOString().slice(11, 19)}, load ${NodeOs.loadavg()[0]!.toFixed(1)}; newest source change: ${newestSource()}`)
    const r = await runProcessor(label, topic, partitions, totalRecords, standIn, env, timeout, prof)
    results.push(r)
    console.log(
      `run "${label}": ${r.complete ? "complete" : `INCOMPLETE (${r.records} of ${totalRecords})`} in ${r.seconds.toFixed(1)} s ` +
        `(${r.sinceSpawnSeconds.toFixed(1)} s since spawn, first batch counted after ${r.firstBatchSeconds.toFixed(1)} s), ` +
        `exit ${r.exitCode} ${r.stopSeconds.toFixed(1)} s after SIGTERM`
    )
    for (const w of r.warnings) console.log(`  warning: ${w.slice(0, 300)}`)
    if (!r.complete) console.log(`  output of the processor (tail):\n${r.outputTail}`)
  }
  standIn.child.disconnect()

  // ---- report ----
  const us = (micros: number, records: number) => (micros / records).toFixed(1)
  const fmt = (n: number) => Math.round(n).toLocaleString("en")
  console.log(`\n| run | records | s | records/s | MB/s | CPU s | CPU µs/record | records/s per CPU s | peak RSS MiB | stand-in CPU s | broker CPU s |`)
  console.log(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|`)
  console.log(
    `| consume only (KafkaLogBus, commits, no parsing) | ${fmt(totalRecords)} | ${base.seconds.toFixed(1)} | ${fmt(totalRecords / base.seconds)} | ` +
      `${(mb(totalBytes) / base.seconds).toFixed(1)} | ${(base.cpuMicros / 1e6).toFixed(1)} | ${us(base.cpuMicros, totalRecords)} | ` +
      `${fmt(totalRecords / (base.cpuMicros / 1e6))} | ${(base.maxRssKb / 1024).toFixed(0)} | - | ${base.brokerCpuMicros === undefined ? "?" : (base.brokerCpuMicros / 1e6).toFixed(1)} |`
  )
  for (const r of results) {
    console.log(
      `| processor, ${r.label}${r.complete ? "" : " (incomplete)"} | ${fmt(r.records)} | ${r.seconds.toFixed(1)} | ${fmt(r.records / r.seconds)} | ` +
        `${(mb(totalBytes * (r.records / totalRecords)) / r.seconds).toFixed(1)} | ${(r.cpuMicros / 1e6).toFixed(1)} | ${us(r.cpuMicros, r.records)} | ` +
        `${fmt(r.records / (r.cpuMicros / 1e6))} | ${(r.hwmKb / 1024).toFixed(0)} | ${(r.standInCpuMicros / 1e6).toFixed(1)} | ` +
        `${r.brokerCpuMicros === undefined ? "?" : (r.brokerCpuMicros / 1e6).toFixed(1)} |`
    )
  }
  console.log(
    `\nseconds: from the process being ready to join the group (processor: its "consumer group" log line; startup took ` +
      `${results.map((r) => (r.sinceSpawnSeconds - r.seconds).toFixed(1)).join(", ")} s and ${results.map((r) => (r.startupCpuMicros / 1e6).toFixed(1)).join(", ")} CPU s) ` +
      `to the last record counted by the stand-in; consume only: from bus.consumer() to the last message (first message after ${base.firstMessageSeconds.toFixed(1)} s). ` +
      `CPU: user + system of the process over the same window (/proc/<pid>/stat; process.cpuUsage for the consume-only child). ` +
      `Peak RSS: VmHWM (consume only: getrusage maxRSS). RSS at the end: ${results.map((r) => (r.rssEndKb / 1024).toFixed(0)).join(", ")} MiB.`
  )
  const memory = (m: MemoryAtEnd | undefined) =>
    m === undefined ? "?" : `${m.heapUsed.toFixed(0)} of ${m.heapTotal.toFixed(0)} heap, ${m.external.toFixed(0)} external (${m.arrayBuffers.toFixed(0)} Buffers)`
  console.log(`At the end, by the processor's /metrics (MiB): ${results.map((r) => memory(r.memoryAtEnd)).join("; ")}.`)
  for (const r of results) {
    if (r.profileDir === undefined) continue
    const file = readdirSync(r.profileDir).find((f) => f.endsWith(".cpuprofile"))
    if (file === undefined) {
      console.log(`\nno profile written in ${r.profileDir}`)
      continue
    }
    console.log(`\n## Where the processor's time goes (${join(r.profileDir, file)})\n`)
    printSummary(summarise(join(r.profileDir, file), 30))
  }
  console.log(`\nbench took ${((Date.now() - started) / 1000).toFixed(0)} s`)
}

const role = argOf("--role")
if (role === "stand-in") await standInRole()
else if (role === "consume") await consumeRole()
else {
  const guard = setTimeout(() => {
    console.error("processor-bench: overall time limit (30 min) reached")
    process.exit(2)
  }, 30 * 60_000)
  guard.unref()
  await main()
  process.exit(0)
}
