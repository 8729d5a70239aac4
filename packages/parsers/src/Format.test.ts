/** Format detection: from RDS file names, and by sniffing content when the name says nothing. */
import { describe, expect, it } from "vitest"
import { DEFAULT_FORMAT, detectFormat, engineOf, formatOfFile, LOG_FORMATS, logTypeOf } from "./Format.ts"
import { listFixtures, readFixture } from "./testing/Fixtures.ts"

describe("formatOfFile", () => {
  it.each([
    ["error/postgresql.log.2026-11-26-0937", "postgres"],
    ["postgresql.log.2026-11-26-0939.csv", "postgres-csv"],
    ["postgresql.log.2026-11-26-0939.json", "postgres-json"],
    ["error/postgresql.log.2026-11-26-09.gz", "postgres"],
    ["slowquery/mysql-slowquery.log.2026-11-26.08", "mysql-slow"],
    ["slowquery/mysql-slowquery.log.3", "mysql-slow"],
    ["audit/audit.log.0.2026-11-26-09-34.0", "mysql-audit"],
    ["error/mysql-error-running.log", "mysql-error"],
    ["error/mysql-error-running.log.2026-11-26.09", "mysql-error"],
    ["error/mysql-error.log", "mysql-error"],
    ["mysql-general.log", "mysql-general"],
    ["general/mysql-general.log.2026-11-26.08", "mysql-general"],
    ["server_audit.log.1", "mysql-audit"]
  ])("%s -> %s", (name, format) => {
    expect(formatOfFile(name)).toBe(format)
  })

  it("says nothing for names that say nothing", () => {
    expect(formatOfFile("trace/foo.trc")).toBeUndefined()
    expect(formatOfFile("data.bin")).toBeUndefined()
  })
})

describe("detectFormat", () => {
  it("trusts the name first", () => {
    expect(detectFormat("slowquery/mysql-slowquery.log", new TextEncoder().encode("2026-11-26 09:38:00 UTC::@:[1]:LOG:  x\n"))).toBe("mysql-slow")
  })

  for (const fixture of listFixtures()) {
    it(`sniffs ${fixture.name} without its name`, () => {
      expect(detectFormat(undefined, readFixture(fixture.name).subarray(0, 8192))).toBe(fixture.format)
      expect(detectFormat("unnamed.log", readFixture(fixture.name).subarray(0, 8192))).toBe(fixture.format)
    })
  }

  it("falls back to the documented default", () => {
    expect(detectFormat(undefined, new Uint8Array(0))).toBe(DEFAULT_FORMAT)
    expect(detectFormat("x", new TextEncoder().encode("hello\n"))).toBe(DEFAULT_FORMAT)
  })
})

describe("engineOf / logTypeOf", () => {
  it("map every format", () => {
    expect(LOG_FORMATS.map(engineOf)).toEqual(["postgres", "postgres", "postgres", "mysql", "mysql", "mysql", "mysql"])
    expect(LOG_FORMATS.map(logTypeOf)).toEqual(["postgresql", "postgresql", "postgresql", "error", "slowquery", "general", "audit"])
  })
})
