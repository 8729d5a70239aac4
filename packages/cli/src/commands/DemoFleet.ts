/**
 * The fleets the demo serves: a growing simulated fleet persisted under the data folder, or the files of a
 * folder served whole, one simulated instance per engine found.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { type Instance, SimulatedFleet } from "@aurora-logs/core"
import { engineOf, formatOfFile } from "@aurora-logs/parsers"
import { listFiles } from "@aurora-logs/testkit"
import { UsageError } from "../Flags.ts"

/** Serves `dir` as it is: `local-postgres` and `local-mysql`, each with the files whose names say their engine. */
export const fleetFromDir = (dir: string, region: string): { fleet: SimulatedFleet; skipped: Array<string> } => {
  if (!NodeFs.existsSync(dir) || !NodeFs.statSync(dir).isDirectory()) {
    throw new UsageError({ message: `demo: --from-dir expects a folder of log files, "${dir}" is not one` })
  }
  const fleet = new SimulatedFleet()
  const skipped: Array<string> = []
  const mtime = Date.now()
  for (const file of listFiles(dir)) {
    const format = file.endsWith(".truth.json") ? undefined : formatOfFile(file)
    if (format === undefined) {
      skipped.push(file)
      continue
    }
    const engine = engineOf(format)
    const instance: Instance = { id: `local-${engine}`, cluster: `local-${engine}`, engine, role: "writer", region, tags: { source: "from-dir" } }
    fleet.addInstance(instance)
    fleet.append(instance.id, file, NodeFs.readFileSync(NodePath.join(dir, file)), mtime)
  }
  if (fleet.instances().length === 0) {
    throw new UsageError({ message: `demo: --from-dir found no log file in "${dir}" (names must say the log type as RDS names do, e.g. postgresql.log.*, mysql-slowquery.log)` })
  }
  return { fleet, skipped }
}
