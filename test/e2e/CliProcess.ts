/**
 * Runs the `aurora-logs` command as a real process on the workspace's Node 24, and waits on conditions with
 * deadlines (never fixed sleeps).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = fileURLToPath(new URL("../../", import.meta.url))
/** The Node 24 binary itself (node_modules/.bin/node is a shell wrapper: a signal sent to it would miss Node). */
export const NODE = process.execPath
export const MAIN = NodePath.join(ROOT, "packages", "cli", "src", "main.ts")

export interface Running {
  readonly child: ChildProcess
  readonly output: () => string
  readonly exited: Promise<number | null>
}

/** Runs the command from `main`: the TypeScript sources by default, or a bundle of them (scripts/bundle.ts). */
export const startCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}, main: string = MAIN): Running => {
  const child = spawn(NODE, [...(main.endsWith(".ts") ? ["--conditions=source"] : []), main, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, output: () => output, exited }
}

export const waitFor = async (what: string, condition: () => boolean, deadlineMs: number, pollMs = 100): Promise<void> => {
  const until = Date.now() + deadlineMs
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, pollMs))
  }
}

export const withDeadline = <A>(what: string, p: Promise<A>, ms: number): Promise<A> =>
  Promise.race([p, new Promise<A>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))])

/** Every record in the NDJSON files of `dir`. */
export const readShipped = (dir: string): Array<Record<string, unknown>> => {
  if (!NodeFs.existsSync(dir)) return []
  const out: Array<Record<string, unknown>> = []
  for (const f of NodeFs.readdirSync(dir)) {
    if (!f.endsWith(".ndjson")) continue
    for (const line of NodeFs.readFileSync(NodePath.join(dir, f), "utf8").split("\n")) if (line.length > 0) out.push(JSON.parse(line))
  }
  return out
}

export const countLines = (dir: string): number => {
  if (!NodeFs.existsSync(dir)) return 0
  let n = 0
  for (const f of NodeFs.readdirSync(dir)) {
    const text = NodeFs.readFileSync(NodePath.join(dir, f), "utf8")
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++
  }
  return n
}
