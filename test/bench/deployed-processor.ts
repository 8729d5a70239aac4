/**
 * How the processor runs as deployed: the V8 flags on the `command` of the processor's Kubernetes Deployment
 * (between `node` and the script) and the C allocator's settings among its `env` (`MALLOC_*`). The benchmarks run
 * the processor's code with them, so that a change of the deployed settings is what they measure.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const PROCESSOR_DEPLOYMENT = fileURLToPath(new URL("../../deploy/kubernetes/base/processor-deployment.yaml", import.meta.url))
const SCRIPT = "bundle/main.js"

let flags: ReadonlyArray<string> | undefined
let allocator: Readonly<Record<string, string>> | undefined

export const deployedProcessorFlags = (): ReadonlyArray<string> => {
  if (flags !== undefined) return flags
  const match = /^\s*command:\s*(\[.*\])\s*$/m.exec(readFileSync(PROCESSOR_DEPLOYMENT, "utf8"))
  if (match === null) throw new Error(`no command in ${PROCESSOR_DEPLOYMENT}`)
  const command = JSON.parse(match[1]!) as Array<string>
  const script = command.indexOf(SCRIPT)
  if (command[0] !== "node" || script < 0) throw new Error(`${PROCESSOR_DEPLOYMENT}: the command is not node ... ${SCRIPT}`)
  return flags = command.slice(1, script)
}

/** The `MALLOC_*` variables of the Deployment's `env` (each a `- name:` line followed by a `value:` line). */
export const deployedAllocatorEnv = (): Readonly<Record<string, string>> => {
  if (allocator !== undefined) return allocator
  const found: Record<string, string> = {}
  for (const m of readFileSync(PROCESSOR_DEPLOYMENT, "utf8").matchAll(/-\s*name:\s*(MALLOC_\w+)\s*\n\s*value:\s*"([^"]*)"/g)) found[m[1]!] = m[2]!
  return allocator = found
}

/** The deployed settings in one line, for a benchmark's header. */
export const describeDeployed = (): string => {
  const env = Object.entries(deployedAllocatorEnv()).map(([k, v]) => `${k}=${v}`)
  return `V8 flags "${deployedProcessorFlags().join(" ")}"${env.length > 0 ? `, ${env.join(" ")}` : ""} (as deployed)`
}
