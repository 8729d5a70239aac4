/**
 * The three lines mysqld writes at the top of a slow or general log each time it opens the file
 * (`... started with:`, `Tcp port: ...  Unix socket: ...`, `Time  Id Command  Argument`).
 */
import type { ParsedRecord } from "../Types.ts"

export const isBannerLine = (line: string): boolean =>
  line.endsWith(" started with:") || line.startsWith("Tcp port: ") || (line.startsWith("Time") && /^Time\s+Id\s+Command\s+Argument/.test(line))

/** The record of a banner: not a query, but kept (a restart or a log flush is worth seeing). */
export function bannerRecord(text: string): ParsedRecord {
  const record: ParsedRecord = { event: "server_banner", level: "info", message: text }
  const version = /, Version: (\S+)/.exec(text)
  if (version !== null) record.server_version = version[1]!
  return record
}
