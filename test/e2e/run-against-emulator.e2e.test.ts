/**
 * `aurora-logs run` as an operator runs it, pointed at the RDS API emulator through the standard
 * `AWS_ENDPOINT_URL_RDS`: the real @aws-sdk/client-rds lists the fleet and downloads the files, records land in
 * the NDJSON output, the health endpoints answer, and SIGTERM stops the process cleanly.
 */
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { SimulatedFleet } from "@aurora-logs/core"
import { RdsEmulator } from "@aurora-logs/testkit/rds/RdsEmulator"
import { describe, expect, it } from "vitest"
import { countLines, readShipped, ROOT, startCli, waitFor, withDeadline } from "./CliProcess.ts"

const fixture = (p: string) => NodeFs.readFileSync(NodePath.join(ROOT, "packages", "testkit", "fixtures", p))

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = NodeNet.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as NodeNet.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

describe("aurora-logs run against the RDS API emulator", () => {
  it("tails the fleet through the AWS SDK, ships every record, reports health, stops on SIGTERM", async () => {
    const fleet = new SimulatedFleet()
    const now = Date.now()
    fleet.addInstance({ id: "orders-pg-1", cluster: "orders-pg", engine: "postgres", role: "writer", region: "eu-west-1", tags: { team: "orders" } })
    fleet.addInstance({ id: "shop-mysql-1", cluster: "shop-mysql", engine: "mysql", role: "writer", region: "eu-west-1", tags: {} })
    fleet.append("orders-pg-1", "error/postgresql.log.2026-11-26-0940", fixture("postgresql/postgresql.log.2026-11-26-0940"), now)
    fleet.append("shop-mysql-1", "slowquery/mysql-slowquery.log", fixture("aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.09"), now)
    const emulator = await RdsEmulator.start({ fleet })
    const data = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-run-"))
    const port = await freePort()
    const run = startCli(["run"], {
      AWS_ENDPOINT_URL_RDS: emulator.url,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AURORA_LOGS_DATA_DIR: data,
      AURORA_LOGS_START_AT: "beginning",
      AURORA_LOGS_SCAN_INTERVAL: "1 second",
      AURORA_LOGS_FLUSH_AFTER: "1 second",
      AURORA_LOGS_BATCH_WAIT: "200 millis",
      AURORA_LOGS_HTTP_PORT: String(port)
    })
    try {
      const out = NodePath.join(data, "out")
      // 71 PostgreSQL events; 21 slow-log entries and the server banner at the top of the file.
      await waitFor(`93 records (have ${countLines(out)}; output: ${run.output()})`, () => countLines(out) >= 93, 60_000)
      const shipped = readShipped(out)
      expect(shipped).toHaveLength(93)
      expect(new Set(shipped.map((r) => r.record_id)).size).toBe(93)
      expect(shipped.find((r) => r.instance === "orders-pg-1")).toMatchObject({ cluster: "orders-pg", engine: "postgres", role: "writer", region: "eu-west-1" })
      expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200)
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      expect(metrics).toMatch(/aurora_logs_records_out_total 93/)
      expect(metrics).toMatch(/aurora_logs_rds_api_calls_total\{[^}]*DownloadDBLogFilePortion[^}]*\} [1-9]/)
      // The process's own memory, as Prometheus' Node.js clients name it: resident memory in the megabytes.
      expect(Number(/^process_resident_memory_bytes (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(10 * 2 ** 20)
      expect(metrics).toMatch(/^nodejs_array_buffers_bytes \d+$/m)
      expect(emulator.callCount("DownloadDBLogFilePortion")).toBeGreaterThan(0)
      run.child.kill("SIGTERM")
      expect(await withDeadline("run to stop on SIGTERM", run.exited, 20_000)).toBe(0)
    } finally {
      run.child.kill("SIGKILL")
      await emulator.stop()
      NodeFs.rmSync(data, { recursive: true, force: true })
    }
  }, 120_000)
})
