/**
 * The V8 flags the processor runs with as deployed: those on the `command` of the processor's Kubernetes
 * Deployment, between `node` and the script. The benchmarks run the processor's code with them, so that a change
 * of the deployed settings is what they measure.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const PROCESSOR_DEPLOYMENT = fileURLToPath(new URL("../../deploy/kubernetes/base/processor-deployment.yaml", import.meta.url))

let flags: ReadonlyArray<string> | undefined

export const deployedProcessorFlags = (): ReadonlyArray<string> => {
  if (flags !== undefined) return flags
  const match = /^\s*command:\s*(\[.*\])\s*$/m.exec(readFileSync(PROCESSOR_DEPLOYMENT, "utf8"))
  if (match === null) throw new Error(`no command in ${PROCESSOR_DEPLOYMENT}`)
  const command = JSON.parse(match[1]!) as Array<string>
  const script = command.indexOf("dist/main.js")
  if (command[0] !== "node" || script < 0) throw new Error(`${PROCESSOR_DEPLOYMENT}: the command is not node ... dist/main.js`)
  return flags = command.slice(1, script)
}
