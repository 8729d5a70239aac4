/**
 * The record shipped to OpenObserve: what the parser found plus where it came from. Flat, stable field names;
 * docs/record-schema.md is the contract.
 */
import type { Engine, LogType, ParsedRecord } from "@aurora-logs/parsers"

export interface Enrichment {
  record_id: string
  engine: Engine
  log_type: LogType
  cluster: string
  instance: string
  role: string
  region: string
  file: string
  generation: number
  offset: number
}

export type LogRecord = ParsedRecord & Enrichment
