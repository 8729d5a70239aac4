/**
 * Synthetic log records in each Aurora format, each carrying a unique token, for property tests that must tell
 * whether every record written to a simulated file came out of the pipeline, once, in order.
 */
import type { LogFormat } from "@aurora-logs/parsers"

export const TOKEN_PATTERN = /tok_\d+_\d+/g

const iso = (ms: number) => new Date(ms).toISOString().replace("Z", "000Z")
const pg = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC")

/** `size` pads the statement so that records can be larger than blocks and carries. */
export const syntheticRecord = (format: LogFormat, token: string, ms: number, size: number, multiline: boolean): string => {
  const pad = size > 0 ? ` /* ${"x".repeat(size)} */` : ""
  switch (format) {
    case "postgres": {
      const prefix = `${pg(ms)}:10.0.0.7(5432):app@appdb:[4242]:`
      return multiline
        ? `${prefix}ERROR:  relation "t_${token}" does not exist at character 15\n${prefix}STATEMENT:  SELECT *\n\tFROM t_${token}${pad}\n\tWHERE id = 1\n`
        : `${prefix}LOG:  duration: 1.250 ms  statement: SELECT '${token}'${pad}\n`
    }
    case "mysql-slow":
      return `# Time: ${iso(ms)}\n# User@Host: app[app] @  [10.0.0.7]  Id:    42\n# Query_time: 0.001000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1\n` +
        `SET timestamp=${Math.floor(ms / 1000)};\nSELECT '${token}'${pad}${multiline ? "\n  FROM dual\n  WHERE 1 = 1" : ""};\n`
    case "mysql-general":
      return `${iso(ms)}\t   42 Query\tSELECT '${token}'${pad}${multiline ? "\nFROM dual" : ""}\n`
    case "mysql-audit":
      return `${ms * 1000},aurora-1,app,10.0.0.7,42,7,QUERY,appdb,'SELECT \\'${token}\\'${pad}',0\n`
    case "mysql-error":
      return `${iso(ms)} 0 [Note] [MY-010000] [Server] note ${token}${pad}${multiline ? "\n  continued detail line" : ""}\n`
    default:
      return `${pg(ms)}:10.0.0.7(5432):app@appdb:[4242]:LOG:  statement: SELECT '${token}'${pad}\n`
  }
}

/** The tokens a shipped record carries (in any field). */
export const tokensOf = (record: unknown): Array<string> => JSON.stringify(record).match(TOKEN_PATTERN) ?? []
