/** Statement fingerprints: pt-fingerprint's rules for MySQL, the same spirit for PostgreSQL. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { fingerprint, fingerprintPaths } from "./Fingerprint.ts"
import { listFixtures, parseFile, readFixture } from "./testing/Fixtures.ts"

describe("fingerprint (MySQL)", () => {
  it.each([
    ["SELECT id, name FROM customers WHERE id = 433", "select id, name from customers where id = ?"],
    ["select * from t where a IN (1, 2, 3) and b = 'x'", "select * from t where a in(?+) and b = ?"],
    ["INSERT INTO t (a,b) VALUES (1,'a'),(2,'b'), (3, \"c\")", "insert into t (a,b) values(?+)"],
    ["SELECT   *\n  FROM t\t WHERE  x = -5.5e3", "select * from t where x = -?"],
    ["select * from t limit 10, 20", "select * from t limit ?"],
    ["SELECT 'it''s', 'a\\'b' FROM t1 -- trailing comment", "select ?, ? from t1"],
    ["/* app:checkout */ SELECT 0x1F, col2 FROM tbl3 # note", "select ?, col2 from tbl3"],
    ["use shopdb", "use ?"],
    ["SELECT 1;", "select ?"],
    // pt-fingerprint 3.2.1 gives the same for each (statements from a MariaDB 10.11 slow log, and the rules its source has).
    ["CALL restock(1, 2)", "call restock"],
    ["CALL bad_proc()", "call bad_proc"],
    ["INSERT INTO blobs (data) VALUES (x'00ff10c3'), (_binary 'abc')", "insert into blobs (data) values(?+)"],
    ["INSERT INTO items (sku, name, qty) VALUES ('SKU-N', 'n', NULL)", "insert into items (sku, name, qty) values(?+)"],
    ["INSERT INTO t VALUES (1, NOW()), (2, NOW()) ON DUPLICATE KEY UPDATE x=1", "insert into t values (?, now())"],
    ["CREATE TABLE x (a INT NOT NULL, null_count INT)", "create table x (a int not ?, null_count int)"],
    ["select a from t where b is not null order by a asc, b ASC, ascii(c) asc limit 5 offset 10", "select a from t where b is not ? order by a, b,ii(c) limit ?"],
    ["SELECT 1 UNION SELECT 1 UNION ALL SELECT 1", "select ? /*repeat union all*/"]
  ])("%s", (sql, expected) => {
    expect(fingerprint(sql, "mysql")).toBe(expected)
  })

  it("collapses repeated UNIONs only in fingerprints of up to 4,096 characters (the rule's cost grows with the square of the length)", () => {
    const union = (n: number) => Array.from({ length: n }, () => "SELECT a FROM t WHERE b = 1").join(" UNION ALL ")
    expect(fingerprint(union(100), "mysql")).toBe("select a from t where b = ? /*repeat union all*/")
    const long = fingerprint(union(5000), "mysql")
    expect(long.length).toBeGreaterThan(4096)
    expect(long).not.toContain("/*repeat")
  })
})

describe("fingerprint (PostgreSQL)", () => {
  it.each([
    ["SELECT abalance FROM pgbench_accounts WHERE aid = $1", "select abalance from pgbench_accounts where aid = $1"],
    ["UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 77", "update pgbench_accounts set abalance = abalance + -? where aid = ?"],
    ["SELECT \"Order\".id FROM \"Order\" WHERE note = E'a\\'b' AND x IN (1,2)", "select \"order\".id from \"order\" where note = ? and x in(?+)"],
    ["SELECT $fn$body 42$fn$, '2026-01-01'::date", "select ?, ?::date"],
    ["SELECT 1 -- why\nFROM t2", "select ? from t2"]
  ])("%s", (sql, expected) => {
    expect(fingerprint(sql, "postgres")).toBe(expected)
  })

  it("is linear on a 26 000-element IN list", () => {
    const sql = "SELECT * FROM t WHERE id IN (" + Array.from({ length: 26000 }, (_, i) => i).join(", ") + ")"
    expect(fingerprint(sql, "postgres")).toBe("select * from t where id in(?+)")
  })
})

describe("fingerprint paths", () => {
  const sqlish = fc.string({
    unit: fc.constantFrom("a", "B", "e", "E", "x", "0", "1", "9", ".", "-", "+", "/", "*", "#", "$", "'", "\"", "\\", " ", "\t", "\n", "\r", "(", ")", ",", ";", "?", "_", "\u0000",
      "in (", "values (", "limit ", "select ", "$1", "$tag$", "$$", "E'", "x'", "-- ", "/* ", " */", "0x1f", "1e-5", "use "),
    maxLength: 60
  })

  // ASCII statements take the Latin-1 path (one array type keeps its pass monomorphic): none is left to the
  // slower general path.
  it("the Latin-1 path reads any ASCII statement", () => {
    fc.assert(fc.property(sqlish, fc.boolean(), (sql, mysql) => {
      expect(fingerprintPaths.latin1(sql, mysql)).toBeDefined()
    }), { numRuns: 5000 })
  })

  it("the Latin-1 path reads every fixture statement made of Latin-1 characters", () => {
    for (const fixture of listFixtures()) {
      for (const record of parseFile(fixture.format, readFixture(fixture.name))) {
        const sql = record.statement
        if (sql === undefined || /[^\u0000-\u00ff]/.test(sql)) continue
        for (const mysql of [false, true]) expect(fingerprintPaths.latin1(sql, mysql)).toBeDefined()
      }
    }
  })

  it("leaves statements with characters above U+00FF to the general path", () => {
    expect(fingerprintPaths.latin1("SELECT Ω", false)).toBeUndefined()
    expect(fingerprintPaths.latin1("SELECT \ud800", false)).toBeUndefined()
    expect(fingerprint("SELECT nom FROM Café WHERE x = 'é'", "postgres")).toBe("select nom from café where x = ?")
  })

  it("folds the blanks around a comment in a statement of any characters as in a Latin-1 one", () => {
    for (const [sql, expected] of [
      ["SELECT /* c */ Ω FROM t", "select ω from t"],
      [" /* lead */ SELECT Ω /*+ hint */ , 1", "select ω , ?"],
      ["SELECT Ω  /* a */  /* b */ x", "select ω x"]
    ] as const) {
      expect(fingerprintPaths.latin1(sql, true)).toBeUndefined()
      expect(fingerprint(sql, "mysql")).toBe(expected)
      expect(fingerprint(sql.replaceAll("Ω", "é"), "mysql")).toBe(expected.replaceAll("ω", "é"))
    }
  })
})
