/**
 * The one-process guarantee on the real process: a demo killed with SIGKILL in the middle of its work and started
 * again resumes from its cursor file and loses nothing. Every record in the simulated fleet's files (which the demo
 * keeps on disk) is shipped, counted by distinct record_id per instance; duplicates, if any, share their record_id.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { formatOfFile, recordStarts } from "@aurora-logs/parsers"
import { listFiles } from "@aurora-logs/testkit"
import { describe, expect, it } from "vitest"
import { countLines, readShipped, startCli, waitFor, withDeadline } from "./CliProcess.ts"

const recordsInFleet = (fleetDir: string): Map<string, number> => {
  const byInstance = new Map<string, number>()
  for (const instance of NodeFs.readdirSync(fleetDir)) {
    const root = NodePath.join(fleetDir, instance)
    if (!NodeFs.statSync(root).isDirectory()) continue
    let n = 0
    for (const file of listFiles(root)) {
      const bytes = NodeFs.readFileSync(NodePath.join(root, file))
      if (bytes.length === 0) continue
      const starts = recordStarts(formatOfFile(file)!, bytes, 0, bytes.length)
      n += starts.length + (starts[0] === 0 ? 0 : 1)
    }
    byInstance.set(instance, n)
  }
  return byInstance
}

describe("demo killed with SIGKILL", () => {
  it("resumes after a restart without losing a record", async () => {
    const data = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-kill-"))
    const out = NodePath.join(data, "out")
    const first = startCli(["demo", "--instances", "4", "--rate", "4", "--duration", "60s", "--data-dir", data, "--quiet"])
    await waitFor("records to be shipped before the kill", () => countLines(out) >= 3000, 60_000)
    first.child.kill("SIGKILL")
    expect(await withDeadline("the killed demo to exit", first.exited, 10_000)).toBe(null)
    const shippedBeforeRestart = countLines(out)

    const second = startCli(["demo", "--instances", "4", "--rate", "4", "--duration", "3s", "--data-dir", data, "--quiet"])
    const code = await withDeadline("the restarted demo to drain and finish", second.exited, 90_000)
    expect(code, second.output()).toBe(0)

    const shipped = readShipped(out)
    expect(shipped.length).toBeGreaterThan(shippedBeforeRestart)
    const idsByInstance = new Map<string, Set<string>>()
    for (const r of shipped) {
      const instance = String(r.instance)
      let ids = idsByInstance.get(instance)
      if (ids === undefined) idsByInstance.set(instance, (ids = new Set()))
      ids.add(String(r.record_id))
    }
    const expected = recordsInFleet(NodePath.join(data, "fleet"))
    expect(expected.size).toBe(4)
    for (const [instance, n] of expected) expect(idsByInstance.get(instance)?.size ?? 0, instance).toBe(n)
    NodeFs.rmSync(data, { recursive: true, force: true })
  }, 180_000)
})
