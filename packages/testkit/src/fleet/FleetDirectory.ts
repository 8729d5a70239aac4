/**
 * A simulated fleet kept on disk: one folder per instance holding its log files, and `fleet.json` naming the
 * instances. The demo writes through it so a restarted (or killed) demo finds the same files again and resumes
 * against them, and tests can read back every byte that was ever written.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { type Instance, SimulatedFleet } from "@aurora-logs/core"

export class FleetDirectory {
  readonly fleet = new SimulatedFleet()
  readonly dir: string
  constructor(dir: string) {
    this.dir = dir
  }

  /** Loads what an earlier run left in `dir` (nothing when it is new). */
  static open(dir: string): FleetDirectory {
    const fd = new FleetDirectory(dir)
    const manifest = NodePath.join(dir, "fleet.json")
    if (!NodeFs.existsSync(manifest)) return fd
    const instances = JSON.parse(NodeFs.readFileSync(manifest, "utf8")) as Array<Instance>
    for (const instance of instances) {
      fd.fleet.addInstance(instance)
      const root = NodePath.join(dir, instance.id)
      for (const file of listFiles(root)) {
        const path = NodePath.join(root, file)
        fd.fleet.append(instance.id, file, NodeFs.readFileSync(path), Math.round(NodeFs.statSync(path).mtimeMs))
      }
    }
    return fd
  }

  instances(): ReadonlyArray<Instance> {
    return this.fleet.instances()
  }

  addInstance(instance: Instance): void {
    this.fleet.addInstance(instance)
    NodeFs.mkdirSync(NodePath.join(this.dir, instance.id), { recursive: true })
    NodeFs.writeFileSync(NodePath.join(this.dir, "fleet.json"), JSON.stringify(this.fleet.instances(), null, 2))
  }

  /** Disk first: what the fleet serves is always on disk too, so a killed run never served a byte it lost. */
  append(instance: string, file: string, data: Uint8Array, now: number): void {
    const path = NodePath.join(this.dir, instance, file)
    NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
    NodeFs.appendFileSync(path, data)
    stamp(path, now)
    this.fleet.append(instance, file, data, now)
  }

  rotateByRename(instance: string, file: string, renamedTo: string, now: number): void {
    const root = NodePath.join(this.dir, instance)
    if (!NodeFs.existsSync(NodePath.join(root, file))) return
    NodeFs.renameSync(NodePath.join(root, file), NodePath.join(root, renamedTo))
    NodeFs.writeFileSync(NodePath.join(root, file), "")
    stamp(NodePath.join(root, file), now)
    this.fleet.rotateByRename(instance, file, renamedTo, now)
  }

  expire(instance: string, file: string): void {
    NodeFs.rmSync(NodePath.join(this.dir, instance, file), { force: true })
    this.fleet.expire(instance, file)
  }
}

/**
 * The file's mtime becomes the simulated write time. The kernel stamps writes from a coarse clock that can lag
 * `Date.now()` by a few milliseconds; a reopened fleet would then list a file as written before the time its
 * cursor saw, and a renamed file would no longer be recognised as the one the cursor was reading.
 */
const stamp = (path: string, now: number): void => {
  const at = new Date(now)
  NodeFs.utimesSync(path, at, at)
}

/** Paths of the files under `root`, relative to it, with "/" separators (as RDS names them). */
export const listFiles = (root: string): Array<string> => {
  if (!NodeFs.existsSync(root)) return []
  return (NodeFs.readdirSync(root, { recursive: true, withFileTypes: true }) as Array<NodeFs.Dirent>)
    .filter((e) => e.isFile())
    .map((e) => NodePath.relative(root, NodePath.join(e.parentPath, e.name)).split(NodePath.sep).join("/"))
    .sort()
}
