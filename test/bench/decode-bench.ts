/**
 * The processor's decoding on one thread, without Kafka or HTTP (not part of the test suite): PostgreSQL blocks cut
 * by the real framer from the stderr fixtures (45 replays, 300,015 records, 512 KiB blocks) go through
 * `RecordDecoder` and are encoded to NDJSON in batches of 2500, with the last two batches kept alive as if in
 * flight. Two ways of holding a batch, each in its own child process, alternated `--rounds` times:
 *
 *   - `objects`: the records wait in the batch as objects and are encoded when the batch ships (as the processor
 *     does now);
 *   - `bytes`: each record is encoded as soon as it is decoded, and only the bytes wait.
 *
 * Per run: CPU ms, garbage collection (ms, count, major) from PerformanceObserver, and RSS at the end.
 *
 *   cd /work/main && node_modules/.bin/node --conditions=source test/bench/decode-bench.ts [--rounds 3]
 */
import { spawnSync } from "node:child_process"
import * as NodeFs from "node:fs"
import { PerformanceObserver } from "node:perf_hooks"
import { fileURLToPath } from "node:url"
import { type BusMessage, frame, type Instance, RecordDecoder } from "@aurora-logs/core"
import { NdjsonEncoder, type ParsedRecord } from "@aurora-logs/parsers"
import { deployedAllocatorEnv, deployedProcessorFlags, describeDeployed } from "./deployed-processor.ts"

const SELF = fileURLToPath(import.meta.url)
const FIXTURES = fileURLToPath(new URL("../../packages/testkit/fixtures/postgresql/", import.meta.url))
const FILES = ["postgresql.log.2026-11-26-0937", "postgresql.log.2026-11-26-0938", "postgresql.log.2026-11-26-0939", "postgresql.log.2026-11-26-0940"]
const REPLAYS = 45
const BATCH = 2500
const IN_FLIGHT = 2
/** The processor Deployment's V8 settings. */
const V8 = deployedProcessorFlags()

const messagesOf = (): Array<BusMessage> => {
  const source: Instance = { id: "bench-1", cluster: "bench", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} }
  const out: Array<BusMessage> = []
  for (let replay = 0; replay < REPLAYS; replay++) {
    for (const name of FILES) {
      const bytes = new Uint8Array(NodeFs.readFileSync(FIXTURES + name))
      const framed = frame("postgres", new Uint8Array(0), 0, false, bytes, true, { maxBlockBytes: 512 * 1024, carryCap: 256 * 1024 })
      for (const b of framed.blocks) {
        const block = { instance: source.id, file: `${name}.${replay}`, generation: 0, source, format: "postgres" as const, offset: b.offset, data: b.data, partial: b.partial, continuation: b.continuation, fence: 1 }
        out.push({ partition: 0, offset: out.length, block })
      }
    }
  }
  return out
}

const run = (mode: "objects" | "bytes") => {
  const messages = messagesOf()
  let gcMs = 0
  let gcs = 0
  let majors = 0
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration
      gcs++
      if (((e as { readonly detail?: unknown }).detail as { kind?: number } | undefined)?.kind === 4) majors++
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const decoder = new RecordDecoder({ maxRecordBytes: 1 << 20 })
  const inFlight: Array<unknown> = []
  const newRun = () => {
    const chunks: Array<Uint8Array> = []
    return { chunks, encoder: new NdjsonEncoder((b) => chunks.push(b), 2 << 20) }
  }
  let waiting: Array<ParsedRecord> = []
  let encoded = newRun()
  let inBatch = 0
  let records = 0
  const cpu0 = process.cpuUsage()
  for (const message of messages) {
    for (const { record } of decoder.decode(message).records) {
      records++
      inBatch++
      if (mode === "objects") waiting.push(record as unknown as ParsedRecord)
      else encoded.encoder.write(record as unknown as ParsedRecord)
      if (inBatch < BATCH) continue
      if (mode === "objects") {
        for (const r of waiting) encoded.encoder.write(r)
        inFlight.push(waiting)
        waiting = []
      }
      encoded.encoder.flush()
      inFlight.push(encoded.chunks)
      encoded = newRun()
      inBatch = 0
      while (inFlight.length > IN_FLIGHT * (mode === "objects" ? 2 : 1)) inFlight.shift()
    }
  }
  const cpu = process.cpuUsage(cpu0)
  // GC entries are delivered asynchronously.
  setTimeout(() => {
    observer.disconnect()
    console.log(JSON.stringify({ mode, records, cpuMs: Math.round((cpu.user + cpu.system) / 1000), gcMs: Math.round(gcMs), gcs, majors, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) }))
  }, 100)
}

const child = process.argv.indexOf("--child")
if (child >= 0) run(process.argv[child + 1] as "objects" | "bytes")
else {
  const i = process.argv.indexOf("--rounds")
  const rounds = i >= 0 ? Number(process.argv[i + 1]) : 3
  console.log(`decode-bench: ${REPLAYS} replays of the 4 PostgreSQL stderr fixtures, batches of ${BATCH}, ${IN_FLIGHT} in flight, ${describeDeployed()}`)
  console.log("| round | mode | records | CPU ms | GC ms | GCs (major) | RSS MiB |\n|---:|---|---:|---:|---:|---:|---:|")
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ["objects", "bytes"] as const) {
      const r = spawnSync(process.execPath, [...V8, "--conditions=source", SELF, "--child", mode], { encoding: "utf8", env: { ...process.env, ...deployedAllocatorEnv() } })
      if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`)
      const f = JSON.parse(r.stdout.trim().split("\n").pop()!)
      console.log(`| ${round} | ${f.mode} | ${f.records} | ${f.cpuMs} | ${f.gcMs} | ${f.gcs} (${f.majors}) | ${f.rssMiB} |`)
    }
  }
}
