/**
 * Which OpenObserve stream a record goes to: a template over the record's source, sanitised by OpenObserve's rules.
 */
import type { LogRecord } from "../domain/LogRecord.ts"

/** `aurora_postgresql`, `aurora_mysql_error`, `aurora_mysql_slowquery`, `aurora_mysql_general`, `aurora_mysql_audit`. */
export const DEFAULT_STREAM_TEMPLATE = "aurora_{source}"

/** OpenObserve turns characters outside [a-zA-Z0-9_:] into `_` and lowercases stream names. */
export const sanitizeStreamName = (name: string): string => name.replace(/[^a-zA-Z0-9_:]/g, "_").toLowerCase()

/**
 * Placeholders: `{source}` (`postgresql`, or `mysql_<log_type>`), `{engine}` (`postgresql` | `mysql`),
 * `{log_type}`, `{cluster}`, `{instance}`, `{region}`.
 */
export const makeStreamNamer = (template: string = DEFAULT_STREAM_TEMPLATE) => {
  const cache = new Map<string, string>()
  return (record: Pick<LogRecord, "engine" | "log_type" | "cluster" | "instance" | "region">): string => {
    const cacheKey = `${record.engine}\u0000${record.log_type}\u0000${record.cluster}\u0000${record.instance}\u0000${record.region}`
    let name = cache.get(cacheKey)
    if (name === undefined) {
      const engine = record.engine === "postgres" ? "postgresql" : "mysql"
      const source = record.engine === "postgres" ? "postgresql" : `mysql_${record.log_type}`
      name = sanitizeStreamName(
        template.replace(/\{(source|engine|log_type|cluster|instance|region)\}/g, (_, k: string) =>
          k === "source" ? source : k === "engine" ? engine : String(record[k as "log_type"]))
      )
      cache.set(cacheKey, name)
    }
    return name
  }
}
