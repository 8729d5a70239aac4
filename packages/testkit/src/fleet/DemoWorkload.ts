/**
 * Keeps a simulated Aurora fleet busy: replays real log records (the fixtures shipped in this package) with fresh
 * timestamps into each instance's files, rotates them the way Aurora does (PostgreSQL and audit logs to new names,
 * MySQL's error, slow and general logs by rename) and lets old files expire.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import type { Instance } from "@aurora-logs/core"
import { type LogFormat, recordStarts } from "@aurora-logs/parsers"
import type { FleetDirectory } from "./FleetDirectory.ts"

/**
 * The fixture logs: beside this package's sources or compiled output (`src/fleet` or `dist/fleet` -> `fixtures`),
 * or beside the chunks of the bundled command, where scripts/bundle.ts copies them.
 */
const FIXTURE_DIRS = [fileURLToPath(new URL("../../fixtures/", import.meta.url)), fileURLToPath(new URL("./fixtures/", import.meta.url))]
export const FIXTURES_DIR: string = FIXTURE_DIRS.find((dir) => NodeFs.existsSync(NodePath.join(dir, "postgresql"))) ?? FIXTURE_DIRS[0]!

interface Source {
  readonly format: LogFormat
  readonly records: ReadonlyArray<string>
  readonly refresh: (text: string, now: number) => string
  /** Records per second per instance. */
  readonly rate: number
  /** The active file's name at time `now`. */
  readonly fileAt: (now: number, slot: number) => string
  readonly rotatesByRename: boolean
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0")
const utc = (ms: number) => {
  const d = new Date(ms)
  return { y: d.getUTCFullYear(), mo: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), h: pad(d.getUTCHours()), mi: pad(d.getUTCMinutes()), s: pad(d.getUTCSeconds()) }
}
const isoMicros = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z")

const PG_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? UTC/gm
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/gm
const SLOW_TIME = /^# Time: \S+/gm
const SLOW_SET = /^SET timestamp=\d+;/gm
const AUDIT_TIME = /^\d{16},/gm

const splitRecords = (format: LogFormat, bytes: Buffer): Array<string> => {
  const starts = recordStarts(format, bytes, 0, bytes.length)
  if (starts[0] !== 0) starts.unshift(0)
  const out: Array<string> = []
  for (let i = 0; i < starts.length; i++) {
    const text = bytes.toString("utf8", starts[i], i + 1 < starts.length ? starts[i + 1] : bytes.length)
    if (text.trim().length > 0) out.push(text.endsWith("\n") ? text : text + "\n")
  }
  return out
}

/** The records of a fixture file (path under the fixtures folder), each ending in a newline. */
export const fixtureRecords = (format: LogFormat, file: string): Array<string> =>
  splitRecords(format, NodeFs.readFileSync(NodePath.join(FIXTURES_DIR, file)))
const load = fixtureRecords

const sourcesOf = (engine: Instance["engine"], rateScale: number): Array<Source> => {
  if (engine === "postgres") {
    return [{
      format: "postgres",
      records: load("postgres", "postgresql/postgresql.log.2026-11-26-0937"),
      refresh: (text, now) => {
        const t = utc(now)
        return text.replace(PG_TIME, `${t.y}-${t.mo}-${t.d} ${t.h}:${t.mi}:${t.s} UTC`)
      },
      rate: 150 * rateScale,
      fileAt: (now) => {
        const t = utc(now)
        return `error/postgresql.log.${t.y}-${t.mo}-${t.d}-${t.h}${t.mi}`
      },
      rotatesByRename: false
    }]
  }
  const iso = (text: string, now: number) => text.replace(ISO_TIME, isoMicros(now))
  return [
    { format: "mysql-error", records: load("mysql-error", "aurora-mysql/error/mysql-error-running.log"), refresh: iso, rate: 5 * rateScale, fileAt: () => "error/mysql-error-running.log", rotatesByRename: true },
    { format: "mysql-general", records: load("mysql-general", "aurora-mysql/general/mysql-general.log.2026-11-26.08"), refresh: iso, rate: 60 * rateScale, fileAt: () => "general/mysql-general.log", rotatesByRename: true },
    {
      format: "mysql-slow",
      records: load("mysql-slow", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.08"),
      refresh: (text, now) => text.replace(SLOW_TIME, `# Time: ${isoMicros(now)}`).replace(SLOW_SET, `SET timestamp=${Math.floor(now / 1000)};`),
      rate: 40 * rateScale,
      fileAt: () => "slowquery/mysql-slowquery.log",
      rotatesByRename: true
    },
    {
      format: "mysql-audit",
      records: load("mysql-audit", "aurora-mysql/audit/audit.log.0.2026-11-26-09-34.0"),
      refresh: (text, now) => text.replace(AUDIT_TIME, `${now * 1000},`),
      rate: 80 * rateScale,
      fileAt: (_now, slot) => {
        const t = utc(slot)
        return `audit/audit.log.0.${t.y}-${t.mo}-${t.d}-${t.h}-${t.mi}.0`
      },
      rotatesByRename: false
    }
  ]
}

export interface WorkloadOptions {
  /** MySQL logs rotate (and audit files roll over) this often; PostgreSQL files are named by the minute. */
  readonly rotateEveryMs: number
  /** Files not written for this long expire. */
  readonly retentionMs: number
  /** Multiplies every source's records per second. */
  readonly rateScale: number
}

export class DemoWorkload {
  private readonly fleet: FleetDirectory
  private readonly options: WorkloadOptions
  private readonly state = new Map<string, { sources: ReadonlyArray<Source>; next: Array<number>; owed: Array<number> }>()
  /** The fixture records of each engine, read and split once for every instance of it. */
  private readonly sources = new Map<Instance["engine"], ReadonlyArray<Source>>()
  private slot = -1
  constructor(fleet: FleetDirectory, options: WorkloadOptions) {
    this.fleet = fleet
    this.options = options
  }

  /**
   * Makes sure the fleet has `count` instances, alternating PostgreSQL and MySQL, in two clusters per engine, and
   * reads their fixture records now: a missing fixture fails here, not later inside a tick.
   */
  ensureInstances(count: number, region = "eu-west-1"): void {
    const existing = this.fleet.instances().length
    for (let i = existing; i < count; i++) {
      const engine = i % 2 === 0 ? "postgres" : "mysql"
      const n = Math.floor(i / 2) + 1
      const cluster = `${engine === "postgres" ? "orders-pg" : "shop-mysql"}-${(n + 1) % 2 === 0 ? "a" : "b"}`
      this.fleet.addInstance({
        id: `${engine === "postgres" ? "aurora-pg" : "aurora-mysql"}-${n}`,
        cluster,
        engine,
        role: n <= 2 ? "writer" : "reader",
        region,
        tags: { env: "demo", team: engine === "postgres" ? "orders" : "shop" }
      })
    }
    for (const instance of this.fleet.instances()) this.sourcesFor(instance.engine)
  }

  private sourcesFor(engine: Instance["engine"]): ReadonlyArray<Source> {
    let sources = this.sources.get(engine)
    if (sources === undefined) this.sources.set(engine, sources = sourcesOf(engine, this.options.rateScale))
    return sources
  }

  /** Writes what the instances logged over the last `elapsedMs`, rotating and expiring files as due. */
  tick(now: number, elapsedMs: number): number {
    const slot = now - (now % this.options.rotateEveryMs)
    const rotate = this.slot !== -1 && slot !== this.slot
    const previousSlot = this.slot
    this.slot = slot
    let written = 0
    for (const instance of this.fleet.instances()) {
      let s = this.state.get(instance.id)
      if (s === undefined) {
        const sources = this.sourcesFor(instance.engine)
        s = { sources, next: sources.map(() => Math.floor(Math.random() * 50)), owed: sources.map(() => 0) }
        this.state.set(instance.id, s)
      }
      s.sources.forEach((source, k) => {
        const file = source.fileAt(now, slot)
        if (rotate && source.rotatesByRename) {
          const t = utc(previousSlot)
          this.fleet.rotateByRename(instance.id, file, `${file}.${t.y}-${t.mo}-${t.d}.${t.h}${t.mi}`, now)
        }
        s.owed[k] += (source.rate * elapsedMs) / 1000
        const count = Math.floor(s.owed[k])
        s.owed[k] -= count
        if (count === 0) return
        const parts: Array<string> = []
        for (let i = 0; i < count; i++) {
          parts.push(source.refresh(source.records[s.next[k] % source.records.length], now))
          s.next[k]++
        }
        this.fleet.append(instance.id, file, Buffer.from(parts.join(""), "utf8"), now)
        written += count
      })
      for (const f of this.fleet.fleet.files(instance.id) ?? []) {
        if (now - f.lastWritten > this.options.retentionMs) this.fleet.expire(instance.id, f.name)
      }
    }
    return written
  }
}
