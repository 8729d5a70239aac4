/**
 * Zones in PostgreSQL timestamps, on lines a PostgreSQL 15 server wrote with log_timezone set to each
 * zone: the instant must be the one the server meant, whatever abbreviation or offset tzdata gave it.
 */
import { describe, expect, it } from "vitest"
import { makeParser } from "./Parser.ts"

const at = (iso: string) => Date.parse(iso) * 1000
const stderr = makeParser("postgres")

describe("PostgreSQL log_timezone", () => {
  it.each([
    // A rule whose daylight time ends in the middle of the file: EDT, then EST.
    ["2026-11-26 20:02:39 EDT:[local]:app@shop:[16665]:LOG:  disconnection: session time: 0:00:00.003 user=app database=shop host=[local]", "2026-11-27T00:02:39Z"],
    ["2026-11-26 19:03:00 EST:[local]:[unknown]@[unknown]:[16880]:LOG:  connection received: host=[local]", "2026-11-27T00:03:00Z"],
    ["2026-11-27 05:34:01 IST:[local]:postgres@postgres:[18629]:LOG:  duration: 0.994 ms", "2026-11-27T00:04:01Z"],
    ["2026-11-27 05:50:01 +0545:[local]:postgres@postgres:[20085]:LOG:  duration: 0.924 ms", "2026-11-27T00:05:01Z"],
    ["2026-11-27 01:07:01 CET:[local]:postgres@postgres:[21969]:LOG:  duration: 0.494 ms", "2026-11-27T00:07:01Z"],
    // Abbreviations of today's tzdata that were read as UTC.
    ["2026-11-27 03:11:58 EAT:[local]:postgres@postgres:[28286]:LOG:  statement: select 'Africa/Nairobi'", "2026-11-27T00:11:58Z"],
    ["2026-11-27 01:11:59 WAT:[local]:postgres@postgres:[28307]:LOG:  statement: select 'Africa/Lagos'", "2026-11-27T00:11:59Z"],
    ["2026-11-27 02:11:59 CAT:[local]:postgres@postgres:[28313]:LOG:  statement: select 'Africa/Maputo'", "2026-11-27T00:11:59Z"],
    ["2026-11-27 08:12:00 WITA:[local]:postgres@postgres:[28335]:LOG:  statement: select 'Asia/Makassar'", "2026-11-27T00:12:00Z"],
    ["2026-11-27 09:12:00 WIT:[local]:postgres@postgres:[28340]:LOG:  statement: select 'Asia/Jayapura'", "2026-11-27T00:12:00Z"],
    ["2026-11-27 10:12:00 ChST:[local]:postgres@postgres:[28362]:LOG:  statement: select 'Pacific/Guam'", "2026-11-27T00:12:00Z"],
    ["2026-11-26 13:12:01 SST:[local]:postgres@postgres:[28368]:LOG:  statement: select 'Pacific/Pago_Pago'", "2026-11-27T00:12:01Z"]
  ])("%s", (line, iso) => {
    expect(stderr.parse(line + "\n")._timestamp).toBe(at(iso))
  })

  it("reads %m with a numeric zone and the csvlog time of the same zone", () => {
    const prefixed = makeParser("postgres", { logLinePrefix: "%m [%p] %b: %q%u@%d/%a: " })
      .parse("2026-11-27 11:06:01.870 +11 [21327] client backend: postgres@postgres/psql: LOG:  duration: 0.783 ms\n")
    expect(prefixed._timestamp).toBe(at("2026-11-27T00:06:01.870Z"))
    const csv = makeParser("postgres-csv")
      .parse('2026-11-27 03:11:58.375 EAT,,,24449,,6b08ca1c.5f81,14,,2026-11-27 01:09:00 CET,,0,LOG,00000,"parameter ""log_timezone"" changed to ""Africa/Nairobi""",,,,,,,,,"","postmaster",,0\n')
    expect(csv).toMatchObject({ _timestamp: at("2026-11-27T00:11:58.375Z"), session_start: at("2026-11-27T00:09:00Z") })
  })
})
