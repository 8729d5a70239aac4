import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { FleetDirectory } from "./FleetDirectory.ts"

const instance = {
  id: "aurora-mysql-1",
  cluster: "shop-mysql-a",
  engine: "mysql",
  role: "writer",
  region: "eu-west-1",
  tags: {}
} as const

describe("FleetDirectory", () => {
  it("a reopened fleet lists every file as it was: same names, sizes and write times, renamed files included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.boolean()), { minLength: 1, maxLength: 12 }),
        (steps) => {
          const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-fleet-"))
          try {
            const fleet = FleetDirectory.open(dir)
            fleet.addInstance(instance)
            // Write times close to (and either side of) the clock, where the kernel's coarse stamps differ.
            let now = Date.now() - 10_000
            steps.forEach(([advance, rotate], i) => {
              now += advance
              fleet.append(instance.id, "general/mysql-general.log", Buffer.from(`line ${i}\n`), now)
              if (rotate) fleet.rotateByRename(instance.id, "general/mysql-general.log", `general/mysql-general.log.${i}`, now)
            })
            const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1)
            const before = [...fleet.fleet.files(instance.id)!].sort(byName)
            const after = [...FleetDirectory.open(dir).fleet.files(instance.id)!].sort(byName)
            assert.deepStrictEqual(after, before)
          } finally {
            NodeFs.rmSync(dir, { recursive: true, force: true })
          }
        }
      ),
      { numRuns: 50 }
    )
  })
})
