/**
 * Command-line flags: `--name value`, `--name=value` and boolean `--name`, checked against what a command accepts.
 * A bad flag is a `UsageError`, which the entry point prints as one line and turns into exit code 2.
 */
import { parseDuration } from "@aurora-logs/core"
import { Duration, Schema } from "effect"

export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { message: Schema.String }) {}

export interface FlagSpec {
  readonly [name: string]: "string" | "boolean"
}

export interface ParsedFlags {
  readonly values: ReadonlyMap<string, string | true>
  readonly positional: ReadonlyArray<string>
}

export const parseFlags = (command: string, argv: ReadonlyArray<string>, spec: FlagSpec): ParsedFlags => {
  const values = new Map<string, string | true>()
  const positional: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--") {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (!arg.startsWith("--")) {
      positional.push(arg)
      continue
    }
    const eq = arg.indexOf("=")
    const name = arg.slice(2, eq === -1 ? undefined : eq)
    const kind = spec[name]
    if (kind === undefined) {
      throw new UsageError({ message: `${command}: unknown flag --${name} (accepted: ${Object.keys(spec).map((k) => `--${k}`).join(", ")})` })
    }
    if (kind === "boolean") {
      if (eq !== -1) throw new UsageError({ message: `${command}: --${name} takes no value` })
      values.set(name, true)
      continue
    }
    const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i]
    if (value === undefined || (eq === -1 && value.startsWith("--"))) {
      throw new UsageError({ message: `${command}: --${name} needs a value` })
    }
    values.set(name, value)
  }
  return { values, positional }
}

export const stringFlag = (flags: ParsedFlags, name: string): string | undefined => {
  const v = flags.values.get(name)
  return typeof v === "string" ? v : undefined
}

export const intFlag = (command: string, flags: ParsedFlags, name: string, min: number, max: number): number | undefined => {
  const v = stringFlag(flags, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError({ message: `${command}: --${name} expects a whole number from ${min} to ${max}, got "${v}"` })
  }
  return n
}

export const numberFlag = (command: string, flags: ParsedFlags, name: string): number | undefined => {
  const v = stringFlag(flags, name)
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n <= 0) throw new UsageError({ message: `${command}: --${name} expects a positive number, got "${v}"` })
  return n
}

/** `30s`, `2m`, `1h`, `500ms`, `30 seconds`: the project's one duration grammar. */
export const durationFlag = (command: string, flags: ParsedFlags, name: string): number | undefined => {
  const v = stringFlag(flags, name)
  if (v === undefined) return undefined
  const d = parseDuration(v)
  if (d === undefined) throw new UsageError({ message: `${command}: --${name} expects a duration such as 30s, 5m or 1h, got "${v}"` })
  return Duration.toMillis(d)
}
