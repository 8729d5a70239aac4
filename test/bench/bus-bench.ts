/**
 * Kafka log bus throughput (not part of the test suite): publishes blocks cut from the PostgreSQL fixtures to a
 * fresh topic on a real broker, then consumes them with one group member that commits as it goes, and prints
 * MB/s, blocks/s and lines/s of each phase, CPU per line and peak RSS. This is the consume-only baseline of the
 * processor benchmark: no parsing, no sink.
 *
 *   pnpm kafka:start && node --conditions=source test/bench/bus-bench.ts [--mb 128] [--block-kb 64] [--partitions 8]
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { join } from "node:path"
import { Effect, Stream } from "effect"
import { type Block, LogBus } from "@aurora-logs/core"
import { KafkaLogBus, makeSettings } from "@aurora-logs/kafka"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const totalMb = arg("--mb", 128)
const blockKb = arg("--block-kb", 64)
const partitions = arg("--partitions", 8)

const FIXTURES = fileURLToPath(new URL("../../packages/testkit/fixtures/postgresql/", import.meta.url))
const text = ["0937", "0938", "0939", "0940"].map((m) => readFileSync(join(FIXTURES, `postgresql.log.2026-11-26-${m}`))).reduce(
  (a, b) => Buffer.concat([a, b])
)

/** Blocks of about `blockKb` cut at line ends, cycling through the fixture text. */
const cut = (): Array<{ data: Uint8Array; lines: number }> => {
  const out: Array<{ data: Uint8Array; lines: number }> = []
  let at = 0
  while (at < text.length) {
    let end = Math.min(text.length, at + blockKb * 1024)
    const nl = text.lastIndexOf(10, end - 1)
    end = nl >= at ? nl + 1 : end
    const data = text.subarray(at, end)
    let lines = 0
    for (let i = 0; i < data.length; i++) if (data[i] === 10) lines++
    out.push({ data, lines })
    at = end
  }
  return out
}
const pieces = cut()
const count = Math.ceil((totalMb * 1024) / blockKb)
const source = { id: "bench-1", cluster: "bench", engine: "postgres", role: "writer", region: "eu-west-1", tags: {} } as const
const files = 64
const offsets = new Array<number>(files).fill(0)
let totalLines = 0
let totalBytes = 0
const blocks: Array<Block> = Array.from({ length: count }, (_, i) => {
  const piece = pieces[i % pieces.length]
  const f = i % files
  const offset = offsets[f]
  offsets[f] += piece.data.length
  totalLines += piece.lines
  totalBytes += piece.data.length
  return { instance: source.id, file: `error/postgresql.log.${f}`, generation: 0, source, format: "postgres", offset, data: piece.data, partial: false, continuation: false, fence: 1 }
})

const settings = makeSettings((process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","), {
  topic: `bench-${Date.now().toString(36)}`,
  partitions,
  replication: 1
})
const mb = (bytes: number) => bytes / 1024 / 1024
const report = (phase: string, seconds: number, cpuMicros: number) =>
  console.log(
    `${phase.padEnd(8)} ${mb(totalBytes).toFixed(0)} MiB in ${seconds.toFixed(2)} s: ${(mb(totalBytes) / seconds).toFixed(1)} MiB/s, ` +
      `${(count / seconds).toFixed(0)} blocks/s, ${(totalLines / seconds).toFixed(0)} lines/s, ` +
      `CPU ${(cpuMicros / totalLines).toFixed(2)} us/line, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`
  )

const program = Effect.gen(function*() {
  const bus = yield* LogBus
  console.log(`${count} blocks of ~${blockKb} KiB (${totalLines} lines) on ${partitions} partitions of ${settings.topic}`)
  let cpu = process.cpuUsage()
  let t = performance.now()
  const groups: Array<Array<Block>> = []
  for (let i = 0; i < blocks.length; i += 16) groups.push(blocks.slice(i, i + 16))
  yield* Effect.forEach(groups, (g) => bus.publish(g), { concurrency: 4, discard: true })
  report("publish", (performance.now() - t) / 1000, process.cpuUsage(cpu).user + process.cpuUsage(cpu).system)

  cpu = process.cpuUsage()
  t = performance.now()
  const consumer = yield* bus.consumer(`bench-${Date.now().toString(36)}`)
  let seen = 0
  yield* consumer.messages.pipe(
    Stream.take(count),
    Stream.runForEachArray((chunk) => {
      seen += chunk.length
      const positions = new Map<number, number>()
      for (const m of chunk) positions.set(m.partition, Math.max(positions.get(m.partition) ?? 0, m.offset + 1))
      return consumer.commit(positions)
    })
  )
  const cpuUsed = process.cpuUsage(cpu)
  report("consume", (performance.now() - t) / 1000, cpuUsed.user + cpuUsed.system)
  if (seen !== count) throw new Error(`consumed ${seen} of ${count}`)
})

await Effect.runPromise(Effect.scoped(program.pipe(Effect.provide(KafkaLogBus.layer(settings)))))
