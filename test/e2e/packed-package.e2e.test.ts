/**
 * What a library user gets: the packed @aurora-logs/parsers and @aurora-logs/core tarballs, unpacked under a
 * node_modules folder (where Node will not strip types, so only the built JavaScript can run), imported by plain
 * Node 24 without the workspace's "source" condition.
 */
import { execFileSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { NODE, ROOT } from "./CliProcess.ts"

const pnpm = (args: ReadonlyArray<string>, cwd: string) =>
  execFileSync("npx", ["-y", "pnpm@10.34.9", ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

describe("packed packages", () => {
  it("import and run from their built output, as an installed dependency", () => {
    const app = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-packed-"))
    const modules = NodePath.join(app, "node_modules")
    for (const name of ["parsers", "core"]) {
      const pkg = NodePath.join(ROOT, "packages", name)
      expect(NodeFs.existsSync(NodePath.join(pkg, "dist", "index.js")), `${name} is built (pnpm build)`).toBe(true)
      const tarball = pnpm(["pack", "--pack-destination", app], pkg).trim().split("\n").pop()!
      const target = NodePath.join(modules, "@aurora-logs", name)
      NodeFs.mkdirSync(target, { recursive: true })
      execFileSync("tar", ["-xzf", NodePath.isAbsolute(tarball) ? tarball : NodePath.join(app, tarball), "-C", target, "--strip-components=1"])
      const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(target, "package.json"), "utf8"))
      expect(JSON.stringify(manifest.dependencies ?? {})).not.toContain("workspace:")
    }
    NodeFs.symlinkSync(NodeFs.realpathSync(NodePath.join(ROOT, "packages", "core", "node_modules", "effect")), NodePath.join(modules, "effect"))
    NodeFs.writeFileSync(NodePath.join(app, "package.json"), JSON.stringify({ type: "module" }))
    NodeFs.writeFileSync(NodePath.join(app, "check.js"), `
      import { recordId, SimulatedFleet, makeStreamNamer } from "@aurora-logs/core"
      import { makeParser, recordStarts } from "@aurora-logs/parsers"
      const line = "2026-11-26 09:40:00 UTC:10.0.0.7(5432):app@appdb:[4242]:LOG:  duration: 1.5 ms  statement: SELECT 1\\n"
      const record = makeParser("postgres").parse(line)
      const fleet = new SimulatedFleet()
      fleet.addInstance({ id: "pg-1", cluster: "c", engine: "postgres", role: "writer", region: "r", tags: {} })
      fleet.append("pg-1", "error/postgresql.log.2026-11-26-0940", line, 0)
      console.log(JSON.stringify({
        duration: record.duration_ms,
        starts: recordStarts("postgres", Buffer.from(line)).length,
        files: fleet.files("pg-1").length,
        id: recordId({ instance: "pg-1", file: "f", generation: 0 }, 7),
        stream: makeStreamNamer()({ engine: "mysql", log_type: "slowquery", cluster: "c", instance: "i", region: "r" })
      }))
    `)
    const out = JSON.parse(execFileSync(NODE, ["check.js"], { cwd: app, encoding: "utf8" }))
    expect(out).toEqual({ duration: 1.5, starts: 1, files: 1, id: "pg-1/f#0@7", stream: "aurora_mysql_slowquery" })
    NodeFs.rmSync(app, { recursive: true, force: true })
  }, 120_000)
})
