/**
 * Parser throughput benchmark (not part of the test suite). Builds a >= 50 MB PostgreSQL stderr file
 * and a >= 50 MB MySQL slow log by replaying the fixtures with shifted timestamps (in a temp dir), then
 * measures, each in its own child process on one core:
 *   floor  - read the file, split lines, JSON-encode one small object per line
 *   ours   - the `aurora-logs parse --format F --prefix P FILE` command, run in the measured process with
 *            its output to /dev/null: the file read in 1 MB chunks, cut into blocks of whole records,
 *            each block through BlockParser (one pass that frames, decodes, parses, fingerprints and
 *            redacts), then NdjsonEncoder writes every record with the file's fields (file, offset,
 *            log_type, engine) as NDJSON
 *   tool   - pgbadger -j 1 (same file, same prefix, output to /dev/null) / pt-query-digest (> /dev/null)
 * and prints records/s, MB/s, peak RSS and the ratios.
 *
 * Every measured process is pinned to one core (taskset -c 0, when available). MB/s and ratios are
 * given on wall time (one core) and on CPU time (user + system; less sensitive to other load on a
 * shared machine, but it also counts V8's background GC/compiler threads).
 *
 *   node --conditions=source test/bench/parse-bench.ts [--mb 64] [--skip-tools] [--keep DIR]
 */
import { spawnSync } from "node:child_process"
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Writable } from "node:stream"
import { parseCommandWith } from "@aurora-logs/cli/commands/parse"
import type { LogFormat } from "@aurora-logs/parsers"
import { Effect } from "effect"

const FIXTURES = fileURLToPath(new URL("../../packages/testkit/fixtures/", import.meta.url))
const PG_FIXTURES = ["0937", "0938", "0939", "0940"].map((m) => join(FIXTURES, "postgresql", "postgresql.log.2026-11-26-" + m))
const SLOW_FIXTURES = ["mysql-slowquery.log.2026-11-26.08", "mysql-slowquery.log.2026-11-26.09", "mysql-slowquery.log"].map((f) => join(FIXTURES, "aurora-mysql", "slowquery", f))
const PREFIX = "%t:%r:%u@%d:[%p]:"

/** `seconds` is wall time, `cpu` user + system CPU seconds: on a shared machine the ratios use CPU time. */
interface Measure { seconds: number; cpu: number; records: number; bytes: number; outputBytes: number; maxRssMb: number }

const arg = (name: string) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}

// ---- worker mode: one measurement in a fresh process, so that peak RSS is its own ----
if (process.argv[2] === "--worker") {
  const [, , , mode, format, file] = process.argv as [string, string, string, string, LogFormat, string]
  const started = process.hrtime.bigint()
  const bytes = mode === "floor" ? readFileSync(file) : undefined
  const size = statSync(file).size
  let records = 0
  let outputBytes = 0
  const out = openSync("/dev/null", "w")
  let batch = ""
  const flush = () => { outputBytes += writeSync(out, batch); batch = "" }
  if (mode === "floor") {
    const text = bytes!.toString("utf8")
    const lines = text.split("\n")
    for (let i = 0; i < lines.length; i++) {
      batch += JSON.stringify({ line: i, length: lines[i]!.length }) + "\n"
      if (batch.length > 1 << 20) flush()
    }
    records = lines.length
  } else {
    // The command as users run it; its output is counted (one line a record) on its way to /dev/null.
    const devNull = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) records++
        outputBytes += writeSync(out, chunk)
        done()
      }
    })
    const code = await Effect.runPromise(parseCommandWith(["--format", format, "--prefix", PREFIX, file], { stdin: process.stdin, stdout: devNull, stderr: process.stderr }))
    if (code !== 0) throw new Error(`aurora-logs parse exited with ${code}`)
  }
  flush()
  closeSync(out)
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const usage = process.cpuUsage()
  const result: Measure = { seconds, cpu: (usage.user + usage.system) / 1e6, records, bytes: size, outputBytes, maxRssMb: process.resourceUsage().maxRSS / 1024 }
  process.stdout.write(JSON.stringify(result))
  process.exit(0)
}

// ---- building the inputs ----
const pad = (n: number) => String(n).padStart(2, "0")
const fmt = (d: Date, sep: string) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${sep}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`

/** Concatenates the fixtures again and again, each replay an hour later, until `targetBytes`. */
function buildReplay(sources: string[], target: string, targetBytes: number, shift: (text: string, hours: number) => string): void {
  const texts = sources.map((f) => readFileSync(f, "utf8"))
  const fd = openSync(target, "w")
  let written = 0
  for (let replay = 0; written < targetBytes; replay++) {
    for (const text of texts) {
      const shifted = shift(text, replay)
      written += writeSync(fd, shifted)
    }
  }
  closeSync(fd)
}

const shiftPostgres = (text: string, hours: number) =>
  hours === 0 ? text : text.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC:/gm, (_, t: string) => fmt(new Date(Date.parse(t.replace(" ", "T") + "Z") + hours * 3_600_000), " ") + " UTC:")

const shiftSlow = (text: string, hours: number) =>
  hours === 0 ? text : text
    .replace(/^# Time: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)/gm, (_, t: string) => "# Time: " + fmt(new Date(Date.parse(t + "Z") + hours * 3_600_000), "T"))
    .replace(/^SET timestamp=(\d+);$/gm, (_, s: string) => `SET timestamp=${Number(s) + hours * 3600};`)

// ---- measuring ----
/** `taskset -c 0` when the machine has it: every measured process runs on one and the same core. */
const PIN: ReadonlyArray<string> = spawnSync("taskset", ["-c", "0", "true"]).status === 0 ? ["taskset", "-c", "0"] : []

function worker(mode: "floor" | "ours", format: LogFormat, file: string): Measure {
  const self = fileURLToPath(import.meta.url)
  const argv = [...PIN, process.execPath, ...process.execArgv, self, "--worker", mode, format, file]
  const child = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 1 << 20 })
  if (child.status !== 0) throw new Error(`${mode} worker failed: ${child.stderr}`)
  return JSON.parse(child.stdout) as Measure
}

/** Runs a tool under /usr/bin/time: wall seconds, CPU seconds (user + sys) and peak RSS. */
function tool(command: string): { seconds: number; cpu: number; maxRssMb: number; ok: boolean; note: string } {
  const started = process.hrtime.bigint()
  const child = spawnSync("/usr/bin/time", ["-f", "%U %S %M", ...PIN, "sh", "-c", command], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 64 << 20 })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const last = (child.stderr ?? "").trim().split("\n").pop() ?? ""
  const [user, sys, rssKb] = last.split(" ").map(Number)
  return {
    seconds, cpu: (user ?? NaN) + (sys ?? NaN), maxRssMb: (rssKb ?? NaN) / 1024, ok: child.status === 0,
    note: child.error?.message ?? (child.status === 0 ? "" : (child.stderr ?? "").slice(0, 300))
  }
}

const mb = (bytes: number) => bytes / 1e6
const fixed = (n: number, d = 1) => n.toFixed(d)

const targetMb = Number(arg("--mb") ?? 64)
const keep = arg("--keep")
const dir = keep ?? mkdtempSync(join(tmpdir(), "parse-bench-"))
mkdirSync(dir, { recursive: true })
const pgFile = join(dir, "postgresql.log.bench")
const slowFile = join(dir, "mysql-slowquery.log.bench")
buildReplay(PG_FIXTURES, pgFile, targetMb * 1e6, shiftPostgres)
buildReplay(SLOW_FIXTURES, slowFile, targetMb * 1e6, shiftSlow)

const rows: string[] = []
const report: Record<string, unknown> = { node: process.version, target_mb: targetMb }
for (const [name, format, file] of [["PostgreSQL stderr", "postgres", pgFile], ["MySQL slow log", "mysql-slow", slowFile]] as const) {
  const size = statSync(file).size
  const floor = worker("floor", format, file)
  const ours = worker("ours", format, file)
  let toolName = ""
  let toolResult: ReturnType<typeof tool> | undefined
  if (!process.argv.includes("--skip-tools")) {
    if (format === "postgres") {
      toolName = "pgbadger -j 1"
      toolResult = tool(`pgbadger -j 1 -f stderr -p '${PREFIX}' -o '${join(dir, "pgbadger-out.json")}' -x json -q '${file}'`)
    } else {
      toolName = "pt-query-digest"
      toolResult = tool(`pt-query-digest '${file}' > /dev/null`)
    }
  }
  const line = {
    input: name, file_mb: fixed(mb(size)), records: ours.records,
    ours_wall_s: fixed(ours.seconds, 2), ours_cpu_s: fixed(ours.cpu, 2), ours_mb_s_wall: fixed(mb(size) / ours.seconds), ours_mb_s_cpu: fixed(mb(size) / ours.cpu),
    ours_records_s_wall: Math.round(ours.records / ours.seconds), ours_rss_mb: fixed(ours.maxRssMb, 0), ndjson_mb: fixed(mb(ours.outputBytes)),
    floor_wall_s: fixed(floor.seconds, 2), floor_mb_s_wall: fixed(mb(size) / floor.seconds), ours_over_floor_wall: fixed(ours.seconds / floor.seconds, 2),
    tool: toolName, tool_wall_s: toolResult === undefined ? "-" : fixed(toolResult.seconds, 1), tool_cpu_s: toolResult === undefined ? "-" : fixed(toolResult.cpu, 1),
    tool_rss_mb: toolResult === undefined ? "-" : fixed(toolResult.maxRssMb, 0), tool_ok: toolResult?.ok ?? false,
    speedup_vs_tool_wall: toolResult === undefined ? "-" : fixed(toolResult.seconds / ours.seconds, 1),
    speedup_vs_tool_cpu: toolResult === undefined ? "-" : fixed(toolResult.cpu / ours.cpu, 1), tool_note: toolResult?.note ?? ""
  }
  report[format] = line
  rows.push(`| ${line.input} | ${line.file_mb} | ${line.records} | ${line.ours_wall_s} (${line.ours_cpu_s}) | ${line.ours_mb_s_wall} (${line.ours_mb_s_cpu}) | ${line.ours_records_s_wall} | ${line.ours_rss_mb} | ${line.floor_mb_s_wall} | ${line.ours_over_floor_wall} | ${line.tool} ${line.tool_wall_s} (${line.tool_cpu_s}) s, ${line.tool_rss_mb} MB | ${line.speedup_vs_tool_wall}x (${line.speedup_vs_tool_cpu}x) |`)
}
console.log("| input | MB | records | ours s wall (CPU) | ours MB/s wall (CPU) | records/s | peak RSS MB | floor MB/s | ours / floor time | tool s wall (CPU), peak RSS | speed-up vs tool wall (CPU) |")
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
for (const row of rows) console.log(row)
console.log(JSON.stringify(report, null, 2))
if (keep === undefined) rmSync(dir, { recursive: true, force: true })
