/**
 * `aurora-logs demo --from-dir` on the shipped fixtures, as a user runs it: the process stops by itself once
 * everything is shipped, and the records that came out, counted by distinct record_id per file, are exactly what
 * each fixture's independently computed truth counts.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { readShipped, ROOT, startCli, withDeadline } from "./CliProcess.ts"

const FIXTURES = NodePath.join(ROOT, "packages", "testkit", "fixtures")

/** Records the truth counts for a file: events / rows / entries, plus the server banners that ship as records. */
const expectedRecords = (truth: Record<string, any>): number => {
  const base = truth.records?.convention_events ?? truth.rows ?? truth.entries ?? truth.records
  const banners = typeof truth.server_banners === "number" ? truth.server_banners : 0
  return base + banners
}

describe("demo --from-dir on the fixtures", () => {
  it("ships exactly the records the truth files count, each once, and stops by itself", async () => {
    const data = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-fromdir-"))
    const run = startCli(["demo", "--from-dir", FIXTURES, "--data-dir", data, "--quiet"])
    const code = await withDeadline("the demo to finish", run.exited, 120_000)
    expect(code, run.output()).toBe(0)

    const shipped = readShipped(NodePath.join(data, "out"))
    const idsByFile = new Map<string, Set<string>>()
    for (const r of shipped) {
      const file = String(r.file)
      let ids = idsByFile.get(file)
      if (ids === undefined) idsByFile.set(file, (ids = new Set()))
      ids.add(String(r.record_id))
    }
    expect(new Set(shipped.map((r) => r.record_id)).size).toBe(shipped.length)
    const truthFiles = NodeFs.readdirSync(FIXTURES, { recursive: true }).map(String).filter((f) => f.endsWith(".truth.json"))
    expect(truthFiles.length).toBeGreaterThan(20)
    for (const truthFile of truthFiles) {
      const file = truthFile.slice(0, -".truth.json".length).split(NodePath.sep).join("/")
      const truth = JSON.parse(NodeFs.readFileSync(NodePath.join(FIXTURES, truthFile), "utf8"))
      expect(idsByFile.get(file)?.size ?? 0, file).toBe(expectedRecords(truth))
    }
    NodeFs.rmSync(data, { recursive: true, force: true })
  }, 150_000)
})
