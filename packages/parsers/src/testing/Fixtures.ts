/**
 * Test support: where the fixture corpus lives (packages/testkit/fixtures), reading a fixture with its
 * truth, and parsing a whole file the way the pipeline does (recordStarts, decode, parse).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { join, relative } from "node:path"
import { formatOfFile, type LogFormat } from "../Format.ts"
import { recordBounds } from "../Framer.ts"
import { makeParser } from "../Parser.ts"
import type { ParsedRecord, ParseOptions } from "../Types.ts"

export const FIXTURES_DIR = fileURLToPath(new URL("../../../testkit/fixtures/", import.meta.url))

export interface Fixture {
  /** Path relative to the fixtures directory, e.g. "postgresql/postgresql.log.2026-11-26-0937". */
  readonly name: string
  readonly path: string
  readonly format: LogFormat
}

/** Every log file of the corpus that has a truth file beside it. */
export function listFixtures(): Fixture[] {
  const out: Fixture[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (!entry.endsWith(".truth.json") && !entry.endsWith(".md") && existsSync(path + ".truth.json")) {
        const name = relative(FIXTURES_DIR, path)
        const format = formatOfFile(name)
        if (format === undefined) throw new Error("no format for fixture " + name)
        out.push({ name, path, format })
      }
    }
  }
  walk(FIXTURES_DIR)
  return out
}

export const readFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES_DIR, name)))

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const readTruth = (name: string): any => JSON.parse(readFileSync(join(FIXTURES_DIR, name + ".truth.json"), "utf8"))

const decoder = new TextDecoder()

/** Parses a complete file: records with the byte offset they start at. */
export function parseFile(format: LogFormat, bytes: Uint8Array, options?: ParseOptions): Array<ParsedRecord & { offset: number }> {
  const parser = makeParser(format, options)
  return recordBounds(format, bytes, options).map(([start, end]) => ({ ...parser.parse(decoder.decode(bytes.subarray(start, end))), offset: start }))
}

/** Parses a log's text record by record, as parseFile does, without the offsets. */
export const parseText = (format: LogFormat, text: string, options?: ParseOptions): ParsedRecord[] =>
  parseFile(format, new TextEncoder().encode(text), options).map(({ offset: _offset, ...record }) => record)

/** Occurrences of each value of `key(record)`; undefined keys count under "". */
export function countBy<T>(items: ReadonlyArray<T>, key: (item: T) => string | number | boolean | undefined): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const item of items) {
    const k = String(key(item) ?? "")
    counts[k] = (counts[k] ?? 0) + 1
  }
  return counts
}

/** Sum of a numeric field, exact to `decimals` places (summed as integers). */
export function exactSum(records: ReadonlyArray<ParsedRecord>, field: string, decimals: number): string {
  const scale = 10 ** decimals
  let sum = 0
  for (const r of records) {
    const v = r[field]
    if (typeof v === "number") sum += Math.round(v * scale)
  }
  return (sum / scale).toFixed(decimals)
}
