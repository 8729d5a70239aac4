/**
 * The Latin-1 fingerprint path (statements with non-ASCII characters, read as code units from a reused
 * typed array) against the general path, which reads the string itself: they agree wherever the
 * general path's final toLowerCase leaves the non-ASCII characters as they are, whatever the lengths
 * of the statements before (the reused array and its end marks).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fingerprint, fingerprintPaths } from "./Fingerprint.ts"

/** SQL pieces and non-ASCII characters toLowerCase keeps (and, inside literals only, ones above U+00FF). */
const sqlish = fc.string({
  unit: fc.constantFrom("a", "B", "e", "E", "x", "0", "1", "9", ".", "-", "+", "/", "*", "#", "$", "'", "\"", "\\", " ", "\t", "\n", "(", ")", ",", ";", "?", "_",
    "\u0000", "é", "ß", "ÿ", "\u0080", "\u00a0", "Ω", "€", "😀", "\ud800", "in (", "values (", "limit ", "$1", "$tag$", "$$", "E'", "x'", "-- ", "/* ", " */", "1e-5"),
  maxLength: 80
})

describe("fingerprint Latin-1 path", () => {
  it("answers as the general path, or leaves the statement to it", () => {
    let compared = 0
    fc.assert(fc.property(sqlish, fc.boolean(), (sql, mysql) => {
      const latin1 = fingerprintPaths.latin1(sql, mysql)
      if (latin1 === undefined) return
      compared++
      const general = fingerprintPaths.general(sql, mysql ? "mysql" : "postgres")
      expect(fingerprintPaths.finish(latin1, mysql)).toBe(fingerprintPaths.finish(general, mysql))
    }), { numRuns: 5000 })
    expect(compared).toBeGreaterThan(1000)
  })

  it("copies runs of plain characters and the single blanks between them as the rules say", () => {
    expect(fingerprintPaths.latin1("SELECT a, B FROM T WHERE x = 1", true)).toBe("select a, b from t where x = ?")
    expect(fingerprintPaths.latin1("SELECT a /* c */ b  c\td\u0000e 'f' g", false)).toBe("select a b c d\u0000e ? g")
    expect(fingerprintPaths.latin1("a b ", false)).toBe("a b")
    expect(fingerprintPaths.latin1("é ü ÿ x", false)).toBe("é ü ÿ x")
    expect(fingerprintPaths.latin1("a Ω", false)).toBeUndefined()
  })

  it("gives the same fingerprints from its table of recent ones as without it", () => {
    // Statements of the same length that differ in one character, and the same text in both dialects.
    const statements = ["SELECT ab FROM t", "SELECT ac FROM t", "SELECT bb FROM t", "use db", "USE db", "use dc"]
    for (let round = 0; round < 3; round++) {
      for (const sql of statements) {
        for (const mysql of [true, false]) {
          expect(fingerprint(sql, mysql ? "mysql" : "postgres")).toBe(fingerprintPaths.finish(fingerprintPaths.latin1(sql, mysql)!, mysql))
        }
      }
    }
    fc.assert(fc.property(fc.array(sqlish, { maxLength: 20 }), fc.boolean(), (batch, mysql) => {
      for (const sql of batch) {
        const latin1 = fingerprintPaths.latin1(sql, mysql)
        const expected = fingerprintPaths.finish(latin1 ?? fingerprintPaths.general(sql, mysql ? "mysql" : "postgres"), mysql)
        expect(fingerprint(sql, mysql ? "mysql" : "postgres")).toBe(expected)
      }
    }), { numRuns: 500 })
  })

  it("reads a short statement right after a long one", () => {
    const long = "SELECT 'é" + "x".repeat(100_000) + "', ü FROM t"
    expect(fingerprintPaths.latin1(long, false)).toBe("select ?, ü from t")
    expect(fingerprintPaths.latin1("SELECT ü", false)).toBe("select ü")
    expect(fingerprintPaths.latin1("SELECT 1é", true)).toBe("select 1é")
    expect(fingerprintPaths.latin1("SELECT Ω", false)).toBeUndefined()
  })
})
