/**
 * Reading settings from the environment the same way everywhere: a bad value fails with one line naming the
 * variable, the expected form and what was given; durations and sizes share one grammar across the project.
 */
import { Config, ConfigProvider, Duration, Effect } from "effect"

/** The error of a bad setting: `NAME: expected ..., got "..."`. */
export const invalidSetting = (name: string, message: string): Config.ConfigError =>
  new Config.ConfigError(new ConfigProvider.SourceError({ message: `${name}: ${message}` }))

/** A string setting turned into a value by `read`, which answers undefined for a malformed one. */
export const checkedSetting = <A>(name: string, expected: string, read: (raw: string) => A | undefined): Config.Config<A> =>
  Config.String(name).pipe(Config.mapEffect((raw) => {
    const value = read(raw.trim())
    return value === undefined ? Effect.fail(invalidSetting(name, `expected ${expected}, got "${raw}"`)) : Effect.succeed(value)
  }))

export const positiveIntSetting = (name: string) =>
  checkedSetting(name, "a positive integer", (raw) => /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined)

export const nonNegativeIntSetting = (name: string) =>
  checkedSetting(name, "an integer >= 0", (raw) => /^\d+$/.test(raw) ? Number(raw) : undefined)

export const literalSetting = <const L extends string>(name: string, values: ReadonlyArray<L>) =>
  checkedSetting(name, values.join(" | "), (raw) => values.find((v) => v === raw.toLowerCase()))

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, milli: 1, millis: 1, s: 1000, sec: 1000, second: 1000, seconds: 1000, m: 60_000, min: 60_000, minute: 60_000,
  minutes: 60_000, h: 3_600_000, hour: 3_600_000, hours: 3_600_000, d: 86_400_000, day: 86_400_000, days: 86_400_000
}

/** `200ms`, `30s`, `5m`, `5h`, `2d`, `30 seconds`, `5 hours`; a bare number is milliseconds. */
export const parseDuration = (raw: string): Duration.Duration | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim())
  if (match === null) return undefined
  const unit = match[2]!.toLowerCase()
  const factor = unit === "" ? 1 : UNIT_MS[unit]
  return factor === undefined ? undefined : Duration.millis(Number(match[1]) * factor)
}

export const durationSetting = (name: string) =>
  checkedSetting(name, "a duration such as 500ms, 30s, 5m or 5h", parseDuration)

const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1, b: 1, kb: 1000, mb: 1_000_000, gb: 1_000_000_000, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3
}

/** `524288`, `512KiB`, `4 MiB`, `500kB`. */
export const parseByteSize = (raw: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(raw.trim())
  const factor = match === null ? undefined : BYTE_UNITS[match[2]!.toLowerCase()]
  return factor === undefined || match === null ? undefined : Math.floor(Number(match[1]) * factor)
}

export const byteSizeSetting = (name: string) =>
  checkedSetting(name, "a size such as 524288, 512KiB or 4MiB", (raw) => {
    const n = parseByteSize(raw)
    return n !== undefined && n > 0 ? n : undefined
  })
