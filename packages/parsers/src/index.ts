/**
 * @aurora-logs/parsers: fast, dependency-free parsers for Aurora PostgreSQL and Aurora MySQL logs.
 * Framing (recordStarts on bytes), parsing (makeParser per format), format detection, fingerprints,
 * redaction and the `parse --stats` summary. This file is the public API.
 */
export { DEFAULT_FORMAT, detectFormat, engineOf, formatOfFile, isLogFormat, LOG_FORMATS, logTypeOf, sniffFormat } from "./Format.ts"
export type { Engine, LogFormat, LogType } from "./Format.ts"
export type { Level, ParsedRecord, ParseOptions, Parser } from "./Types.ts"
export { lastRecordStart, recordStarts } from "./RecordStarts.ts"
export { DEFAULT_MAX_RECORD_BYTES, RecordFramer, recordBounds } from "./Framer.ts"
export type { FramedBlock } from "./Framer.ts"
export { makeParser } from "./Parser.ts"
export { BlockParser, parseBlock } from "./BlockParser.ts"
export type { ParsedBlock } from "./BlockParser.ts"
export { countLines, NO_SEVERITY, ParseStats } from "./ParseStats.ts"
export type { ParseStatsJson } from "./ParseStats.ts"
export { fingerprint } from "./Fingerprint.ts"
export type { SqlDialect } from "./Fingerprint.ts"
export { makeRedactor, REDACTED } from "./Redaction.ts"
export type { Redactor } from "./Redaction.ts"
export { RDS_LOG_LINE_PREFIX, RDS_LOG_LINE_PREFIX_LONG } from "./postgres/Prefix.ts"
export { TRUNCATION_MARKER } from "./Record.ts"
export { NdjsonEncoder } from "./Ndjson.ts"
export type { NdjsonSink } from "./Ndjson.ts"
