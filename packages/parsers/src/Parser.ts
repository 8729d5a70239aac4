/** makeParser: the parser of one format, with the caller's options (redaction, log_line_prefix) baked in. */
import type { LogFormat } from "./Format.ts"
import { MysqlAuditLogParser } from "./mysql/AuditLogParser.ts"
import { MysqlErrorLogParser } from "./mysql/ErrorLogParser.ts"
import { MysqlGeneralLogParser } from "./mysql/GeneralLogParser.ts"
import { MysqlSlowLogParser } from "./mysql/SlowLogParser.ts"
import { PostgresCsvParser } from "./postgres/CsvParser.ts"
import { PostgresJsonParser } from "./postgres/JsonParser.ts"
import { compilePrefix } from "./postgres/Prefix.ts"
import { PostgresStderrParser } from "./postgres/StderrParser.ts"
import { makeRedactor } from "./Redaction.ts"
import type { ParseOptions, Parser } from "./Types.ts"

export function makeParser(format: LogFormat, options?: ParseOptions): Parser {
  const redact = makeRedactor(options)
  const redacting = options?.redact !== false
  switch (format) {
    case "postgres": return new PostgresStderrParser(compilePrefix(options?.logLinePrefix), redact, redacting)
    case "postgres-csv": return new PostgresCsvParser(redact, redacting)
    case "postgres-json": return new PostgresJsonParser(redact, redacting)
    case "mysql-error": return new MysqlErrorLogParser(redact, redacting)
    case "mysql-slow": return new MysqlSlowLogParser(redact, redacting)
    case "mysql-general": return new MysqlGeneralLogParser(redact, redacting)
    case "mysql-audit": return new MysqlAuditLogParser(redact, redacting)
  }
}
