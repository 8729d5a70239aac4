/**
 * Made-up LogRecords for sink tests: deterministic, with distinct `record_id`s, spread over the five default
 * streams, stamped at a given time.
 */
import type { LogRecord } from "@aurora-logs/core"

const SOURCES = [
  { engine: "postgres", log_type: "postgresql", instance: "pg-1", file: "error/postgresql.log.2026-11-26-09" },
  { engine: "mysql", log_type: "error", instance: "my-1", file: "error/mysql-error-running.log" },
  { engine: "mysql", log_type: "slowquery", instance: "my-1", file: "slowquery/mysql-slowquery.log" },
  { engine: "mysql", log_type: "general", instance: "my-1", file: "general/mysql-general.log" },
  { engine: "mysql", log_type: "audit", instance: "my-1", file: "audit/audit.log.0.2026-11-26-09-34.0" }
] as const

/** Record number `n` (its `record_id` is unique per `n` and `batch`), stamped `atMicros`. */
export const sampleRecord = (n: number, atMicros: number, batch: string = "b"): LogRecord => {
  const source = SOURCES[n % SOURCES.length]!
  const offset = n * 97
  return {
    _timestamp: atMicros,
    record_id: `${source.instance}/${source.file}#${batch}@${offset}`,
    engine: source.engine,
    log_type: source.log_type,
    cluster: "aurora-demo",
    instance: source.instance,
    role: "writer",
    region: "eu-west-1",
    file: source.file,
    generation: 0,
    offset,
    severity: n % 7 === 0 ? "ERROR" : "LOG",
    level: n % 7 === 0 ? "error" : "info",
    pid: 4000 + (n % 13),
    user: "app",
    database: "orders",
    message: `duration: ${(n % 1000) / 10} ms  statement: SELECT * FROM orders WHERE id = ${n}`
  }
}

export const sampleRecords = (count: number, atMicros: number, batch: string = "b"): Array<LogRecord> =>
  Array.from({ length: count }, (_, n) => sampleRecord(n, atMicros, batch))
