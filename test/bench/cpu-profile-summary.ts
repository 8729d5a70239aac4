/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by module (our packages, effect, kafkajs,
 * undici, Node internals, GC...) and the top functions by self time. Used by processor-bench.ts; also runs alone:
 *
 *   node test/bench/cpu-profile-summary.ts FILE.cpuprofile [--top 25]
 *
 * Only the main JavaScript thread is sampled: work on libuv's thread pool (zlib's asynchronous gzip, for one)
 * and V8's background GC and compiler threads is not in the profile but is in the process's CPU time.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
  readonly startTime: number
  readonly endTime: number
}

export interface ProfileSummary {
  /** Sampled time, idle excluded, in ms. */
  readonly busyMs: number
  readonly idleMs: number
  readonly modules: ReadonlyArray<{ readonly module: string; readonly ms: number }>
  readonly functions: ReadonlyArray<{ readonly fn: string; readonly module: string; readonly ms: number }>
}

/** Which part of the program a script URL belongs to. */
export const moduleOf = (url: string, functionName: string): string => {
  if (url === "") {
    if (functionName === "(garbage collector)") return "V8: garbage collector"
    if (functionName === "(program)") return "V8: (program) native / unattributed"
    if (functionName === "(idle)") return "(idle)"
    return "native (builtins: JSON, Buffer, zlib binding...)"
  }
  const pkg = /\/packages\/([^/]+)\/(?:src|dist)\/(?:([^/]+)\/)?/.exec(url)
  if (pkg !== null) return `@aurora-logs/${pkg[1]}${pkg[1] === "core" && pkg[2] !== undefined && !/\.[jt]s$/.test(pkg[2]) ? `/${pkg[2]}` : ""}`
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\//.exec(url)
  if (nm !== null) return nm[1]!
  if (url.startsWith("node:internal/deps/undici")) return "undici (Node's fetch)"
  if (url.startsWith("node:")) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url)
    return `node:${m?.[1] ?? url}`
  }
  return url
}

export const summarise = (path: string, top = 25): ProfileSummary => {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile
  const byId = new Map<number, ProfileNode>()
  for (const node of profile.nodes) byId.set(node.id, node)
  const self = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  }
  const modules = new Map<string, number>()
  const functions = new Map<string, { fn: string; module: string; ms: number }>()
  let idle = 0
  let busy = 0
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame
    const module = moduleOf(frame.url, frame.functionName)
    const ms = micros / 1000
    if (module === "(idle)") {
      idle += ms
      continue
    }
    busy += ms
    modules.set(module, (modules.get(module) ?? 0) + ms)
    const file = frame.url.replace(/^.*\/(packages|node_modules)\//, "$1/").replace(/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    const key = `${frame.functionName || "(anonymous)"} ${file}${frame.url === "" ? "" : `:${frame.lineNumber + 1}`}`
    const entry = functions.get(key) ?? { fn: key, module, ms: 0 }
    entry.ms += ms
    functions.set(key, entry)
  }
  return {
    busyMs: busy,
    idleMs: idle,
    modules: [...modules].map(([module, ms]) => ({ module, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, top)
  }
}

export const printSummary = (s: ProfileSummary, log: (line: string) => void = console.log): void => {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`
  log(`main thread busy ${(s.busyMs / 1000).toFixed(2)} s (idle ${(s.idleMs / 1000).toFixed(2)} s)\n`)
  log(`| module | self ms | share |`)
  log(`|---|---:|---:|`)
  for (const m of s.modules.filter((m) => m.ms / s.busyMs >= 0.002)) log(`| ${m.module} | ${m.ms.toFixed(0)} | ${pct(m.ms)} |`)
  log(`\n| function (top ${s.functions.length} by self time) | module | self ms | share |`)
  log(`|---|---|---:|---:|`)
  for (const f of s.functions) log(`| \`${f.fn}\` | ${f.module} | ${f.ms.toFixed(0)} | ${pct(f.ms)} |`)
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2]
  if (file === undefined) throw new Error("usage: node test/bench/cpu-profile-summary.ts FILE.cpuprofile [--top 25]")
  const i = process.argv.indexOf("--top")
  printSummary(summarise(file, i >= 0 ? Number(process.argv[i + 1]) : 25))
}
