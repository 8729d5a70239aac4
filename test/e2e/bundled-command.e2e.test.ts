/**
 * The bundled command (scripts/bundle.ts), which the container image runs, in a folder with no node_modules above
 * it: the distributed services deliver every record through a real broker, the RDS API emulator, dynalite and the
 * OpenObserve stand-in; the demo runs on the fixtures the bundle carries; `parse` writes what the sources write.
 */
import { execFileSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundleCli } from "../../scripts/bundle.ts"
import { MAIN, NODE, readShipped, ROOT, startCli, withDeadline } from "./CliProcess.ts"
import { acceptedTokens, deployment, eventually } from "./DistributedHarness.ts"

const BROKERS = process.env.KAFKA_BROKERS ?? "127.0.0.1:9092"
const INSTANCES = 3
const FIXTURES = NodePath.join(ROOT, "packages", "testkit", "fixtures")

let dir = ""
let bundled = ""

beforeAll(async () => {
  dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-bundle-"))
  bundled = await bundleCli(NodePath.join(dir, "app"))
}, 120_000)
afterAll(() => NodeFs.rmSync(dir, { recursive: true, force: true }))

describe("the bundled command", () => {
  it("stands alone: no node_modules in or above its folder", () => {
    for (let d = NodePath.dirname(bundled); d !== NodePath.dirname(d); d = NodePath.dirname(d)) {
      expect(NodeFs.existsSync(NodePath.join(d, "node_modules")), d).toBe(false)
    }
  })

  it("runs discovery and processor: every record reaches OpenObserve once, and no Node.js warning is printed", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const d = yield* deployment({ instances: INSTANCES, brokers: BROKERS, leaseTtl: "10 seconds", main: bundled })
      for (let k = 0; k < INSTANCES; k++) d.write(k, 10)
      const output = () => d.running.map((p) => p.output().slice(-1500)).join("\n---\n")
      const writer = yield* Effect.forkChild(Effect.forever(Effect.andThen(
        Effect.sync(() => d.write(Math.floor(Math.random() * INSTANCES), 2)),
        Effect.sleep(50)
      )))
      const services = [d.start("discovery", "d1"), d.start("processor", "p1")]
      yield* eventually(() => `records to reach OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) => ids.size > 100), 90_000)
      yield* Fiber.interrupt(writer)
      yield* eventually(() => `all ${d.written.length} records at OpenObserve\n${output()}`, Effect.map(acceptedTokens(d.standIn), ({ ids }) =>
        d.written.every((w) => ids.has(w.token))), 90_000)
      const { ids } = yield* acceptedTokens(d.standIn)
      for (const [token, recordIds] of ids) expect(recordIds.size, token).toBe(1)
      for (const p of services) p.child.kill("SIGTERM")
      for (const p of services) expect(yield* Effect.promise(() => withDeadline("a graceful stop", p.exited, 30_000)), p.output().slice(-1000)).toBe(0)
      // Node's process warnings (kafkajs 2.2.4 set a negative timeout on every connection: patches/) alarm whoever reads the logs.
      for (const p of services) expect(p.output()).not.toMatch(/\(node:\d+\) \w*Warning/)
    }))), 240_000)

  it("runs the demo on the fixtures it carries", async () => {
    const data = NodePath.join(dir, "demo")
    const demo = startCli(["demo", "--duration", "4s", "--data-dir", data, "--quiet"], {}, bundled)
    expect(await withDeadline("the demo to end", demo.exited, 60_000), demo.output()).toBe(0)
    const streams = new Set(readShipped(NodePath.join(data, "out")).map((r) => `${r.engine}/${r.log_type}`))
    expect([...streams].sort()).toEqual(["mysql/audit", "mysql/error", "mysql/general", "mysql/slowquery", "postgres/postgresql"])
  }, 90_000)

  it("parses as the sources do", () => {
    const files = ["postgresql/postgresql.log.2026-11-26-0937", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.08"]
      .map((f) => NodePath.join(FIXTURES, f))
    const parse = (args: ReadonlyArray<string>) => execFileSync(NODE, [...args, "parse", ...files], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })
    const fromBundle = parse([bundled])
    expect(fromBundle.split("\n").length).toBeGreaterThan(1000)
    expect(fromBundle).toBe(parse(["--conditions=source", MAIN]))
  }, 60_000)
})
