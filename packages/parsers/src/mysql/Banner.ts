/**
 * The three lines mysqld writes at the top of a slow or general log each time it opens the file
 * (`... started with:`, `Tcp port: ...  Unix socket: ...`, `Time  Id Command  Argument`).
 */
import { endBeforeCr } from "../Record.ts"
import type { ParsedRecord } from "../Types.ts"

export const isBannerLine = (line: string): boolean => isBannerLineAt(line, 0, line.length)

const STARTED_WITH = " started with:"

/** isBannerLine(text.slice(start, end)), without the slice for the lines that are no banner. */
export function isBannerLineAt(text: string, start: number, end: number): boolean {
  end = endBeforeCr(text, start, end)
  if (end - start >= STARTED_WITH.length && text.startsWith(STARTED_WITH, end - STARTED_WITH.length)) return true
  if (text.charCodeAt(start) !== 84 /* T */ || end - start < 4) return false
  return (end - start >= 10 && text.startsWith("Tcp port: ", start)) || (text.startsWith("Time", start) && /^Time\s+Id\s+Command\s+Argument/.test(text.slice(start, end)))
}

/** The record of a banner: not a query, but kept (a restart or a log flush is worth seeing). */
export function bannerRecord(text: string): ParsedRecord {
  const record: ParsedRecord = { event: "server_banner", level: "info", message: text }
  const version = /, Version: (\S+)/.exec(text)
  if (version !== null) record.server_version = version[1]!
  return record
}
