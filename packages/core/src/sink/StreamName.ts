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
type NamingField = "engine" | "log_type" | "cluster" | "instance" | "region"
type Naming = Pick<LogRecord, NamingField>

export const makeStreamNamer = (template: string = DEFAULT_STREAM_TEMPLATE): (record: Naming) => string => {
  const render = (record: Naming): string => {
    const engine = record.engine === "postgres" ? "postgresql" : "mysql"
    const source = record.engine === "postgres" ? "postgresql" : `mysql_${record.log_type}`
    return sanitizeStreamName(
      template.replace(/\{(source|engine|log_type|cluster|instance|region)\}/g, (_, k: string) =>
        k === "source" ? source : k === "engine" ? engine : String(record[k as "log_type"]))
    )
  }
  // Called for every record: cached by nested lookups on just the fields the template uses (the default: engine
  // and log type), so no key string is built on the hot path.
  const used: Array<NamingField> = []
  if (/\{(source|engine)\}/.test(template)) used.push("engine")
  if (/\{(source|log_type)\}/.test(template)) used.push("log_type")
  for (const field of ["cluster", "instance", "region"] as const) if (template.includes(`{${field}}`)) used.push(field)
  const root = new Map<string, unknown>()
  return (record) => {
    let level = root
    for (let i = 0; i < used.length - 1; i++) {
      const key = String(record[used[i]!])
      let next = level.get(key) as Map<string, unknown> | undefined
      if (next === undefined) level.set(key, next = new Map())
      level = next
    }
    const last = used.length === 0 ? "" : String(record[used[used.length - 1]!])
    let name = level.get(last) as string | undefined
    if (name === undefined) level.set(last, name = render(record))
    return name
  }
}
