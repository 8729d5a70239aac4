#!/usr/bin/env node
// Starts aurora-logs on Node.js 24 even when the `node` on PATH is older: it looks for the workspace's own Node 24
// (node_modules/.bin/node, provisioned by `pnpm install`) and runs the command there. Plain JavaScript that any
// Node.js since 18 can run.
import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const major = (version) => Number(String(version).replace(/^v/, "").split(".")[0])

const findNode24 = () => {
  if (major(process.versions.node) >= 24) return process.execPath
  const seen = new Set()
  for (const start of [here, process.cwd()]) {
    for (let dir = resolve(start); !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir)
      // The binary itself first: node_modules/.bin/node is a shell wrapper that would stand between us and Node.
      for (const candidate of [join(dir, "node_modules", "node", "bin", "node"), join(dir, "node_modules", ".bin", "node")]) {
        if (!existsSync(candidate)) continue
        const probe = spawnSync(candidate, ["--version"], { encoding: "utf8" })
        if (probe.status === 0 && major(probe.stdout.trim()) >= 24) return candidate
      }
      if (dirname(dir) === dir) break
    }
  }
  return undefined
}

const node = findNode24()
if (node === undefined) {
  process.stderr.write(
    `aurora-logs needs Node.js 24 or newer (this is ${process.version}). In the repository run \`npx -y pnpm@10.34.9 install\`, which provisions it, or install Node.js 24.\n`
  )
  process.exit(2)
}

// Inside the repository the TypeScript sources run directly; an installed package runs its built JavaScript
// (Node does not strip types under node_modules).
const source = join(here, "..", "src", "main.ts")
const built = join(here, "..", "dist", "main.js")
const useSource = existsSync(source) && !source.includes(`${"/"}node_modules${"/"}`)
const args = useSource ? ["--conditions=source", source] : [built]
const child = spawn(node, [...args, ...process.argv.slice(2)], { stdio: "inherit" })
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal))
// Ctrl-C reaches the whole process group; the child handles it and we wait for it.
process.on("SIGINT", () => {})
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128 + (signal === "SIGKILL" ? 9 : 15))))
