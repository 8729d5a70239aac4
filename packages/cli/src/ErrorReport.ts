/**
 * Turns what stops a command into one line for the user and an exit code: 2 for bad flags or configuration
 * (naming the setting and the expected form), 1 for anything else.
 */
import { Cause, Config } from "effect"
import { UsageError } from "./Flags.ts"

/** `SchemaError(Expected a string representing a finite number\n at ["AURORA_LOGS_BATCH_RECORDS"])` -> one line. */
export const describeConfigError = (error: Config.ConfigError): string => {
  // Only a schema failure's wrapper is taken off: a setting's own message may end with a parenthesis.
  const text = (/^SchemaError\(([\s\S]*)\)$/.exec(error.message)?.[1] ?? error.message).replace(/^SourceError: /, "")
  const path = /at \[([^\]]*)\]/.exec(text)
  const first = text.split("\n")[0].trim()
  const name = path === null ? "" : path[1].replace(/"/g, "").split(",").join(".")
  return `invalid configuration${name && !first.startsWith(name) ? `: ${name}` : ""}: ${first}`
}

export const reportFailure = (cause: Cause.Cause<unknown>): { readonly message: string; readonly code: number } => {
  const error = Cause.squash(cause)
  if (error instanceof UsageError) return { message: error.message, code: 2 }
  if (error instanceof Config.ConfigError) return { message: describeConfigError(error), code: 2 }
  return { message: `aurora-logs: ${error instanceof Error ? error.message : String(error)}`, code: 1 }
}
