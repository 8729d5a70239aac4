/**
 * The real @aws-sdk/client-rds, pointed at the RDS API emulator by endpoint: one test per pitfall of the log API.
 * These prove the handling against the emulator's model of the API, not against AWS itself (docs/aws.md).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Stream } from "effect"
import { type Instance, type Portion, RdsLogs, SimulatedFleet } from "@aurora-logs/core"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import { ApiBudget } from "./ApiBudget.ts"
import * as AwsRdsLogs from "./AwsRdsLogs.ts"
import { allClusters, type FleetFilter } from "./FleetFilter.ts"

const REGION = "eu-west-1"
const CREDENTIALS = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" }
const FILE = "error/postgresql.log.2026-11-26-10"

const instance = (id: string, cluster: string, overrides: Partial<Instance> = {}): Instance => ({
  id,
  cluster,
  engine: "postgres",
  role: "writer",
  region: REGION,
  tags: {},
  ...overrides
})

/** `count` lines of about `width` bytes, numbered so that a lost or doubled line shows. */
const lines = (count: number, width = 100, from = 0) =>
  Array.from({ length: count }, (_, i) => {
    const head = `2026-11-26 10:00:00 UTC::@:[${from + i}]:LOG:  line ${from + i} `
    return `${head}${"x".repeat(Math.max(0, width - head.length - 1))}\n`
  }).join("")

const onePg = (fleet: SimulatedFleet) => fleet.addInstance(instance("pg-1", "pg"))

interface Setup {
  readonly fleet: (fleet: SimulatedFleet) => void
  readonly emulator?: (emulator: RdsEmulator) => void
  readonly filter?: FleetFilter
  readonly budget?: Layer.Layer<ApiBudget>
  readonly options?: AwsRdsLogs.AwsRdsLogsOptions
  /** What the client signs with (the emulator always expects CREDENTIALS' key and secret). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
}

const withRds = <A, E>(setup: Setup, test: (rds: RdsLogs["Service"], emulator: RdsEmulator, fleet: SimulatedFleet) => Effect.Effect<A, E, ApiBudget>) =>
  Effect.gen(function*() {
    const fleet = new SimulatedFleet()
    setup.fleet(fleet)
    // The emulator verifies every signature with these, the complete-file REST call's included.
    const emulator = yield* RdsEmulator.scoped({ fleet, credentials: [CREDENTIALS] })
    setup.emulator?.(emulator)
    const layer = AwsRdsLogs.layer({
      client: { endpoint: emulator.url, region: REGION, credentials: setup.credentials ?? CREDENTIALS },
      filter: setup.filter ?? allClusters,
      retryBase: "2 millis",
      fileNotFoundDelay: "2 millis",
      ...setup.options
    }).pipe(Layer.provideMerge(setup.budget ?? ApiBudget.layerUnlimited))
    return yield* Effect.gen(function*() {
      return yield* test(yield* RdsLogs, emulator, fleet)
    }).pipe(Effect.provide(layer))
  }).pipe(Effect.scoped)

/** Reads a file from the start with portions until the API says there is no more. */
const readAll = (rds: RdsLogs["Service"], instanceId: string, file: string) =>
  Effect.gen(function*() {
    const portions: Array<Portion> = []
    let marker = "0"
    for (let calls = 0; calls < 10_000; calls++) {
      const portion = yield* rds.downloadPortion(instanceId, file, marker)
      portions.push(portion)
      marker = portion.marker
      if (!portion.pending) break
    }
    return { text: Buffer.concat(portions.map((p) => p.data)).toString("utf8"), portions, marker }
  })

describe("AwsRdsLogs against the RDS emulator", () => {
  it.live("lists Aurora instances with cluster, role and tags; skips other engines and instances that are not available", () =>
    withRds({
      fleet: (fleet) => {
        fleet.addInstance(instance("pg-w", "orders", { tags: { team: "a" } }))
        fleet.addInstance(instance("pg-r", "orders", { role: "reader", tags: { team: "a" } }))
        fleet.addInstance(instance("my-w", "billing", { engine: "mysql" }))
        fleet.addInstance(instance("pg-booting", "billing", { role: "reader", engine: "mysql" }))
      },
      emulator: (emulator) => {
        emulator.instanceStatus.set("pg-booting", "starting")
        emulator.knobs.listPageSize = 1
        emulator.extraClusters.push({ id: "graph", engine: "neptune", status: "available", tags: {}, members: [{ instance: "pg-w", writer: true }] })
      }
    }, (rds) =>
      Effect.gen(function*() {
        const found = (yield* rds.listInstances).toSorted((a, b) => a.id.localeCompare(b.id))
        assert.deepStrictEqual(found, [
          { id: "my-w", cluster: "billing", engine: "mysql", role: "writer", region: REGION, tags: {} },
          { id: "pg-r", cluster: "orders", engine: "postgres", role: "reader", region: REGION, tags: { team: "a" } },
          { id: "pg-w", cluster: "orders", engine: "postgres", role: "writer", region: REGION, tags: { team: "a" } }
        ])
      })))

  it.live("includes and excludes clusters by id pattern and by tag", () =>
    withRds({
      fleet: (fleet) => {
        fleet.addInstance(instance("a-1", "prod-orders", { tags: { env: "prod", logs: "on" } }))
        fleet.addInstance(instance("b-1", "prod-billing", { tags: { env: "prod" } }))
        fleet.addInstance(instance("c-1", "prod-scratch", { tags: { env: "prod", logs: "on" } }))
        fleet.addInstance(instance("d-1", "dev-orders", { tags: { env: "dev", logs: "on" } }))
      },
      emulator: (emulator) => emulator.clusterTags.set("prod-scratch", { env: "prod", logs: "on", temporary: "yes" }),
      filter: { includeClusters: ["prod-*"], excludeClusters: [], includeTags: ["logs=on"], excludeTags: ["temporary"] }
    }, (rds) =>
      Effect.gen(function*() {
        const found = yield* rds.listInstances
        assert.deepStrictEqual(found.map((i) => i.id), ["a-1"])
      })))

  it.live("lists log files past the first page", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        for (let i = 0; i < 250; i++) fleet.append("pg-1", `error/postgresql.log.${String(i).padStart(3, "0")}`, "x\n", 1000 + i)
      }
    }, (rds, emulator) =>
      Effect.gen(function*() {
        const files = yield* rds.listFiles("pg-1")
        assert.strictEqual(files.length, 250)
        assert.deepStrictEqual(files[249], { name: "error/postgresql.log.249", size: 2, lastWritten: 1249 })
        assert.strictEqual(emulator.callCount("DescribeDBLogFiles"), 3)
      })))

  it.live("reads a file whole and byte-exact, CR LF, UTF-8 and markup included, while it grows", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, "first <tag> & \"quotes\"\r\nzweite Zeile: äöü €\n  trailing spaces  \n", 1)
      }
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const first = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(first.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        fleet.append("pg-1", FILE, lines(50), 2)
        const next = yield* rds.downloadPortion("pg-1", FILE, first.marker)
        assert.strictEqual(Buffer.from(next.data).toString("utf8"), lines(50))
      })))

  it.live("a cut answer is retried with fewer lines, and nothing is lost", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(2000), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.portionLimitBytes = 16_384
      }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        assert.isFalse(all.portions.some((p) => p.truncated === true))
        // The line count that worked is remembered: far fewer calls than halving from 10,000 every time.
        assert.isBelow(emulator.callCount("DownloadDBLogFilePortion"), 40)
      })))

  it.live("catching up on a large file costs at most 1.3 portion calls per MB at the real 1 MB cut", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        // About 12 MB of lines between 80 and 320 bytes.
        const parts: Array<string> = []
        for (let i = 0; i < 60_000; i++) parts.push(`${i} ${"q".repeat(80 + ((i * 7919) % 240))}\n`)
        fleet.append("pg-1", FILE, parts.join(""), 1)
      }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        const bytes = fleet.bytes("pg-1", FILE) as Uint8Array
        assert.strictEqual(all.text.length, bytes.length)
        const perMb = emulator.callCount("DownloadDBLogFilePortion") / (bytes.length / 1_048_576)
        assert.isAtMost(perMb, 1.3, `portion calls per MB: ${perMb}`)
      })))

  const OLDER = "error/postgresql.log.2026-11-26-09"
  const NEWER = "error/postgresql.log.2026-11-26-10"
  /** Two files of one series, lines of 150 bytes: `older` lines in the first, 20,000 in the second. */
  const seriesOfTwo = (older: number) => (fleet: SimulatedFleet) => {
    onePg(fleet)
    fleet.append("pg-1", OLDER, lines(older, 150), 1)
    fleet.append("pg-1", NEWER, lines(20_000, 150, older), 2)
  }

  it.live("a file never read before starts from the line count its series settled on: its first page is not cut", () =>
    // 10,000 lines of 150 bytes (the API's default count) are 1.5 MB: over the cut.
    withRds({ fleet: seriesOfTwo(20_000) }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const calls = () => emulator.callCount("DownloadDBLogFilePortion")
        const first = yield* readAll(rds, "pg-1", OLDER)
        const firstCalls = calls()
        const second = yield* readAll(rds, "pg-1", NEWER)
        const secondCalls = calls() - firstCalls
        assert.strictEqual(second.text, Buffer.from(fleet.bytes("pg-1", NEWER) as Uint8Array).toString("utf8"))
        // The first file's first ask (10,000 lines) was cut and asked again; the second file's pages all came whole.
        assert.strictEqual(firstCalls, first.portions.length + 1)
        assert.strictEqual(secondCalls, second.portions.length)
      })))

  it.live("a short file teaches its series the line count: a large file of the series is not cut at its first page", () =>
    // 500 lines: read in one page that ends at the file's end, long enough to learn the line length from.
    withRds({ fleet: seriesOfTwo(500) }, (rds, emulator) =>
      Effect.gen(function*() {
        yield* readAll(rds, "pg-1", OLDER)
        const before = emulator.callCount("DownloadDBLogFilePortion")
        const large = yield* readAll(rds, "pg-1", NEWER)
        assert.strictEqual(emulator.callCount("DownloadDBLogFilePortion") - before, large.portions.length)
      })))

  it.live("a single line over the cut is still delivered whole, from the complete download", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(3) + `huge ${"y".repeat(50_000)}\n` + lines(3, 100, 3), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.portionLimitBytes = 8_192
      }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        assert.isFalse(all.portions.some((p) => p.truncated === true))
        assert.strictEqual(emulator.callCount("DownloadCompleteLogFile"), 1)
      })))

  it.live("when even the complete download fails, the long line is delivered cut and marked truncated", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, `huge ${"y".repeat(50_000)}\n` + lines(2), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.portionLimitBytes = 8_192
        emulator.knobs.completeUnavailable = true
      },
      options: { maxRetries: 1 }
    }, (rds) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        const cut = all.portions.find((p) => p.truncated === true)
        assert.isDefined(cut)
        assert.strictEqual(cut?.data.length, 8_192)
        // The lines after the long one are still read, from the marker the cut answer gave.
        assert.isTrue(all.text.endsWith(lines(2)))
      })))

  it.live("overlapping pages are repaired to the exact bytes", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(400), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.defaultLines = 25
        emulator.knobs.overlapEvery = 2
      },
      options: { portionLines: 25 }
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
      })))

  it.live("a page that skips lines is filled in from the complete download", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(300), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.skipEvery = 3
      },
      options: { portionLines: 20 }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        assert.isAbove(emulator.callCount("DownloadCompleteLogFile"), 0)
      })))

  it.live("blank lines at the end of a page are dropped without another call", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(100), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.trailingBlankLines = 2
      },
      options: { portionLines: 30 }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        assert.strictEqual(emulator.callCount("DownloadCompleteLogFile"), 0)
      })))

  it.live("throttled calls cut the budget and are retried until they succeed", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(200), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.throttleEvery = 3
      },
      budget: Layer.effect(ApiBudget, ApiBudget.make({ callsPerSecond: 1000, recovery: "1 hour" })),
      options: { portionLines: 20 }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
        const files = yield* rds.listFiles("pg-1")
        assert.strictEqual(files.length, 1)
        assert.isAbove(emulator.callCount("DownloadDBLogFilePortion"), 10)
        const budget = yield* ApiBudget
        assert.isBelow(yield* budget.currentRate, 1000)
      })))

  it.live("throttling that does not stop is reported as Throttled (retryable) after the retries", () =>
    withRds({
      fleet: onePg,
      emulator: (emulator) => {
        emulator.knobs.throttleEvery = 1
      },
      options: { maxRetries: 2 }
    }, (rds, emulator) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(rds.listFiles("pg-1"))
        assert.strictEqual(error.reason._tag, "Throttled")
        assert.isTrue(error.isRetryable)
        assert.strictEqual(emulator.callCount("DescribeDBLogFiles"), 3)
      })))

  it.live("an endpoint that does not answer is RdsUnavailable (retryable)", () =>
    withRds({ fleet: onePg, options: { maxRetries: 1 } }, (rds, emulator) =>
      Effect.gen(function*() {
        yield* Effect.promise(() => emulator.stop())
        const error = yield* Effect.flip(rds.listFiles("pg-1"))
        assert.strictEqual(error.reason._tag, "RdsUnavailable")
        assert.isTrue(error.isRetryable)
        const streamed = yield* Effect.flip(Stream.runDrain(rds.downloadComplete("pg-1", FILE, 0)))
        assert.strictEqual(streamed.reason._tag, "RdsUnavailable")
      })))

  it.live("DBLogFileNotFoundFault during rotation is tried again; a file that stays missing is reported", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(5), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.fileNotFoundCalls.set(`pg-1/${FILE}`, 2)
      }
    }, (rds, emulator) =>
      Effect.gen(function*() {
        const first = yield* rds.downloadPortion("pg-1", FILE, "0")
        assert.strictEqual(Buffer.from(first.data).toString("utf8"), lines(5))
        emulator.knobs.fileNotFoundCalls.set(`pg-1/${FILE}`, 100)
        const exit = yield* Effect.exit(rds.downloadPortion("pg-1", FILE, "0"))
        assert.isTrue(Exit.isFailure(exit))
        const error = Exit.isFailure(exit) ? exit.cause.toString() : ""
        assert.include(error, "FileNotFound")
      })))

  it.live("a paused instance answers InstanceNotReady, which is retryable", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(5), 1)
      },
      emulator: (emulator) => emulator.knobs.notReady.add("pg-1")
    }, (rds) =>
      Effect.gen(function*() {
        const listed = yield* Effect.flip(rds.listFiles("pg-1"))
        assert.strictEqual(listed.reason._tag, "InstanceNotReady")
        assert.isTrue(listed.isRetryable)
        const read = yield* Effect.flip(rds.downloadPortion("pg-1", FILE, "0"))
        assert.strictEqual(read.reason._tag, "InstanceNotReady")
      })))

  it.live("an instance that is gone answers InstanceNotFound", () =>
    withRds({ fleet: onePg }, (rds) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(rds.listFiles("pg-gone"))
        assert.strictEqual(error.reason._tag, "InstanceNotFound")
      })))

  it.live("a file refused as binary data is read from the complete download, no byte skipped", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        const binary = Buffer.concat([Buffer.from(lines(3)), Buffer.from([0, 1, 2, 255, 254, 10]), Buffer.from(lines(3, 100, 3))])
        fleet.append("pg-1", FILE, binary, 1)
      },
      emulator: (emulator) => {
        emulator.knobs.portionLimitBytes = 200
      }
    }, (rds, emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.deepStrictEqual(Buffer.concat(all.portions.map((p) => p.data)), Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array))
        assert.isAbove(emulator.callCount("DownloadCompleteLogFile"), 0)
      })))

  it.live("the binary-data refusal of a text file (the knob) is handled the same way", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(30), 1)
      },
      emulator: (emulator) => emulator.knobs.binaryFiles.add(`pg-1/${FILE}`)
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const all = yield* readAll(rds, "pg-1", FILE)
        assert.strictEqual(all.text, Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array).toString("utf8"))
      })))

  it.live("rotation by rename mid-read: the old marker reads nothing, the renamed file holds the rest", () =>
    withRds({
      fleet: (fleet) => {
        fleet.addInstance(instance("my-1", "my", { engine: "mysql" }))
        fleet.append("my-1", "slowquery/mysql-slowquery.log", lines(20), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.rotateOnRead = { instance: "my-1", file: "slowquery/mysql-slowquery.log", renamedTo: "slowquery/mysql-slowquery.log.2026-11-26.10" }
      },
      options: { portionLines: 10 }
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const first = yield* rds.downloadPortion("my-1", "slowquery/mysql-slowquery.log", "0")
        assert.strictEqual(Buffer.from(first.data).toString("utf8"), lines(10))
        const after = yield* rds.downloadPortion("my-1", "slowquery/mysql-slowquery.log", first.marker)
        assert.strictEqual(after.data.length, 0)
        assert.isFalse(after.pending)
        const files = yield* rds.listFiles("my-1")
        assert.deepStrictEqual(files.map((f) => [f.name, f.size]), [
          ["slowquery/mysql-slowquery.log", 0],
          ["slowquery/mysql-slowquery.log.2026-11-26.10", lines(20).length]
        ])
        fleet.append("my-1", "slowquery/mysql-slowquery.log", "new generation\n", 2)
        const rest = yield* Stream.runCollect(rds.downloadComplete("my-1", "slowquery/mysql-slowquery.log.2026-11-26.10", first.data.length))
        assert.strictEqual(Buffer.concat(rest).toString("utf8"), lines(10, 100, 10))
      })))

  it.live("an early 'no more data' is noticed against the listed size; asking again gets the rest", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(100), 1)
      },
      emulator: (emulator) => {
        emulator.knobs.pendingAlwaysFalse = true
      },
      options: { portionLines: 40 }
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const size = (yield* rds.listFiles("pg-1"))[0]?.size ?? 0
        const chunks: Array<Uint8Array> = []
        let marker = "0"
        let offset = 0
        while (offset < size) {
          const portion = yield* rds.downloadPortion("pg-1", FILE, marker)
          assert.isFalse(portion.pending)
          chunks.push(portion.data)
          offset += portion.data.length
          marker = portion.marker
        }
        assert.deepStrictEqual(Buffer.concat(chunks), Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array))
      })))

  it.live("the complete download streams a file from a byte offset, signed", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(5000), 1)
      }
    }, (rds, _emulator, fleet) =>
      Effect.gen(function*() {
        const bytes = fleet.bytes("pg-1", FILE) as Uint8Array
        const from = 123_457
        const chunks = yield* Stream.runCollect(rds.downloadComplete("pg-1", FILE, from))
        assert.isAbove(chunks.length, 1)
        assert.deepStrictEqual(Buffer.concat(chunks), Buffer.from(bytes.subarray(from)))
        const missing = yield* Effect.flip(Stream.runDrain(rds.downloadComplete("pg-1", "error/nope.log", 0)))
        assert.strictEqual(missing.reason._tag, "FileNotFound")
      })))

  it.live("temporary credentials (a session token, as IRSA and EKS Pod Identity give) sign both kinds of call", () =>
    withRds({
      fleet: (fleet) => {
        onePg(fleet)
        fleet.append("pg-1", FILE, lines(3), 1)
      },
      credentials: { ...CREDENTIALS, sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN" }
    }, (rds) =>
      Effect.gen(function*() {
        assert.strictEqual((yield* rds.listFiles("pg-1")).length, 1)
        const bytes = yield* Stream.runCollect(rds.downloadComplete("pg-1", FILE, 0))
        assert.strictEqual(Buffer.concat(bytes).toString("utf8"), lines(3))
      })))

  it.live("a request signed with the wrong secret is refused, and reported as RdsRejected", () =>
    withRds({
      fleet: onePg,
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "wrong" }
    }, (rds) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(rds.listFiles("pg-1"))
        assert.strictEqual(error.reason._tag, "RdsRejected")
        assert.include(error.message, "SignatureDoesNotMatch")
        const streamed = yield* Effect.flip(Stream.runDrain(rds.downloadComplete("pg-1", FILE, 0)))
        assert.strictEqual(streamed.reason._tag, "RdsRejected")
      })))

  it.live("the emulator refuses unsigned requests with AWS error XML", () =>
    withRds({ fleet: onePg }, (_rds, emulator) =>
      Effect.promise(async () => {
        const query = await fetch(emulator.url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "Action=DescribeDBLogFiles&Version=2014-10-31&DBInstanceIdentifier=pg-1"
        })
        assert.strictEqual(query.status, 403)
        assert.include(await query.text(), "<Code>MissingAuthenticationToken</Code>")
        const rest = await fetch(`${emulator.url}/v13/downloadCompleteLogFile/pg-1/${FILE}`)
        assert.strictEqual(rest.status, 403)
      })))
})
