/**
 * With `OPENOBSERVE_URL` set, the one-process modes ship to OpenObserve instead of NDJSON files: the demo on a
 * folder of fixtures, against the OpenObserve stand-in, lands every record in the stream of its engine and log type.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { OpenObserveStandIn } from "@aurora-logs/testkit/openobserve/OpenObserveStandIn"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { ROOT, startCli, withDeadline } from "./CliProcess.ts"

const FIXTURES = NodePath.join(ROOT, "packages", "testkit", "fixtures")

describe("demo with OPENOBSERVE_URL", () => {
  it("ships every record to OpenObserve, one stream per engine and log type", () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const standIn = yield* Effect.provide(Effect.gen(function*() { return yield* OpenObserveStandIn }), yield* Layer.build(OpenObserveStandIn.layer()))
      const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-o2-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => NodeFs.rmSync(dir, { recursive: true, force: true })))
      NodeFs.mkdirSync(NodePath.join(dir, "logs"))
      for (const f of ["postgresql/postgresql.log.2026-11-26-0940", "aurora-mysql/slowquery/mysql-slowquery.log.2026-11-26.09"]) {
        NodeFs.copyFileSync(NodePath.join(FIXTURES, f), NodePath.join(dir, "logs", NodePath.basename(f)))
      }
      const demo = startCli(["demo", "--from-dir", NodePath.join(dir, "logs"), "--data-dir", NodePath.join(dir, "data"), "--quiet"], {
        OPENOBSERVE_URL: standIn.url,
        OPENOBSERVE_USER: standIn.user,
        OPENOBSERVE_PASSWORD: standIn.password
      })
      expect(yield* Effect.promise(() => withDeadline("the demo to finish", demo.exited, 60_000)), demo.output()).toBe(0)
      const counts = yield* standIn.acceptedCounts
      // 71 PostgreSQL events; 21 slow-log entries and the server banner.
      expect(Object.fromEntries(counts)).toEqual({ aurora_postgresql: 71, aurora_mysql_slowquery: 22 })
      expect(NodeFs.existsSync(NodePath.join(dir, "data", "out"))).toBe(false)
    }))), 90_000)
})
