/** Secret redaction: unit cases per statement form, and a property over every format and field. */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { LogFormat } from "./Format.ts"
import { recordBounds } from "./Framer.ts"
import { makeParser } from "./Parser.ts"
import { makeRedactor, REDACTED } from "./Redaction.ts"

const redact = makeRedactor()

describe("makeRedactor", () => {
  it.each([
    ["CREATE ROLE app WITH LOGIN PASSWORD 'hunter2' VALID UNTIL 'infinity'", "CREATE ROLE app WITH LOGIN PASSWORD '[REDACTED]' VALID UNTIL 'infinity'"],
    ["ALTER USER app ENCRYPTED PASSWORD 'md5abc'", "ALTER USER app ENCRYPTED PASSWORD '[REDACTED]'"],
    ["alter role x password E'it''s'", "alter role x password E'[REDACTED]'"],
    ["CREATE USER 'u'@'%' IDENTIFIED BY 's3cr3t'", "CREATE USER 'u'@'%' IDENTIFIED BY '[REDACTED]'"],
    ["CREATE USER u IDENTIFIED WITH mysql_native_password BY 'pw1'", "CREATE USER u IDENTIFIED WITH mysql_native_password BY '[REDACTED]'"],
    ["ALTER USER u IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$hash'", "ALTER USER u IDENTIFIED WITH 'caching_sha2_password' AS '[REDACTED]'"],
    ["SET PASSWORD FOR 'bob'@'localhost' = 'pw2'", "SET PASSWORD FOR 'bob'@'localhost' = '[REDACTED]'"],
    ["SET PASSWORD = PASSWORD('pw3')", "SET PASSWORD = PASSWORD('[REDACTED]')"],
    ["GRANT ALL ON *.* TO u IDENTIFIED BY \"dq\"", "GRANT ALL ON *.* TO u IDENTIFIED BY \"[REDACTED]\""],
    ["CREATE USER 'x'@'%' IDENTIFIED BY \\'esc\\'", "CREATE USER 'x'@'%' IDENTIFIED BY \\'[REDACTED]\\'"],
    ["SELECT dblink_connect('host=db user=u password=topsecret dbname=d')", "SELECT dblink_connect('host=db user=u password=[REDACTED] dbname=d')"],
    ["CREATE ROLE r PASSWORD $$dollar$$", "CREATE ROLE r PASSWORD $$[REDACTED]$$"],
    ["ALTER ROLE r PASSWORD 'cut off by trunc", "ALTER ROLE r PASSWORD '[REDACTED]"],
    // MariaDB 10.11 general log and (escaped) audit log.
    ["CREATE USER IF NOT EXISTS 'tmp2'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('tmp-Secret-5')",
      "CREATE USER IF NOT EXISTS 'tmp2'@'%' IDENTIFIED VIA mysql_native_password USING PASSWORD('[REDACTED]')"],
    ["'CREATE USER IF NOT EXISTS \\'tmp2\\'@\\'%\\' IDENTIFIED VIA ed25519 USING PASSWORD(\\'pw5\\')'",
      "'CREATE USER IF NOT EXISTS \\'tmp2\\'@\\'%\\' IDENTIFIED VIA ed25519 USING PASSWORD(\\'[REDACTED]\\')'"],
    ["ALTER USER u IDENTIFIED VIA mysql_native_password USING '*6C8989366EAF75BB670AD8EA7A7FC1176A95CEF4'",
      "ALTER USER u IDENTIFIED VIA mysql_native_password USING '[REDACTED]'"],
    ["SELECT PASSWORD( 'plain' )", "SELECT PASSWORD( '[REDACTED]' )"],
    // Dynamic SQL, a literal inside a literal (PostgreSQL 15 with log_statement = 'all' and pgaudit.log = 'all').
    ["DO $$ BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''dyn-secret'''; END $$;", "DO $$ BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''[REDACTED]'''; END $$;"],
    ["AUDIT: SESSION,10,1,FUNCTION,DO,,,DO $$ BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''dyn-secret'''; END $$;,<none>",
      "AUDIT: SESSION,10,1,FUNCTION,DO,,,DO $$ BEGIN EXECUTE 'ALTER ROLE app PASSWORD ''[REDACTED]'''; END $$;,<none>"],
    ["SELECT 'EXECUTE ''ALTER ROLE r PASSWORD ''''it''''''''s'''''';'", "SELECT 'EXECUTE ''ALTER ROLE r PASSWORD ''''[REDACTED]'''''';'"],
    ["ALTER ROLE r PASSWORD '' VALID UNTIL 'infinity'", "ALTER ROLE r PASSWORD '' VALID UNTIL 'infinity'"]
  ])("%s", (input, output) => {
    expect(redact(input)).toBe(output)
  })

  it("leaves texts that only mention passwords alone", () => {
    const text = "password authentication failed for user \"ghost\" (using password: YES) ALTER ROLE r PASSWORD NULL"
    expect(redact(text)).toBe(text)
  })

  it("applies extra patterns and can be switched off", () => {
    const custom = makeRedactor({ redactPatterns: [/AKIA[0-9A-Z]{16}/] })
    expect(custom("key AKIAABCDEFGHIJKLMNOP here")).toBe(`key ${REDACTED} here`)
    expect(makeRedactor({ redact: false })("PASSWORD 'x'")).toBe("PASSWORD 'x'")
  })
})

const password = fc.stringMatching(/^[A-Za-z0-9!@#%^&*()_+=\-]{6,20}$/).map((s) => "Pw" + s)

/** A statement that sets a password, in the dialect of the format. */
const statementWith = (pw: string, form: number, mysql: boolean) => {
  const sql = pw.replace(/'/g, "''")
  if (!mysql) return [`CREATE ROLE app_${form} WITH LOGIN PASSWORD '${sql}'`, `ALTER ROLE app PASSWORD '${sql}' VALID UNTIL 'infinity'`, `ALTER USER app WITH ENCRYPTED PASSWORD '${sql}'`][form % 3]!
  return [`CREATE USER 'u'@'%' IDENTIFIED BY '${sql}'`, `SET PASSWORD FOR 'u'@'%' = '${sql}'`, `ALTER USER u IDENTIFIED WITH mysql_native_password BY '${sql}'`][form % 3]!
}

function render(format: LogFormat, statement: string): string {
  const ts = "2026-11-26 09:38:02 UTC"
  const tabbed = statement.replace(/\n/g, "\n\t")
  switch (format) {
    case "postgres":
      return `${ts}:10.0.0.1(5432):app@appdb:[7]:LOG:  duration: 1.5 ms  statement: ${tabbed}\n` +
        `${ts}:10.0.0.1(5432):app@appdb:[7]:ERROR:  syntax error at or near "x"\n` +
        `${ts}:10.0.0.1(5432):app@appdb:[7]:DETAIL:  Failing row contains: ${tabbed}\n` +
        `${ts}:10.0.0.1(5432):app@appdb:[7]:STATEMENT:  ${tabbed}\n` +
        `no prefix here: ${statement}\n`
    case "postgres-csv":
      return `${ts.replace(" UTC", ".000 UTC")},"app","appdb",7,"10.0.0.1:5432",s.1,1,"",${ts},"3/1",0,ERROR,42601,"syntax error","${statement.replace(/"/g, "\"\"")}","","${statement.replace(/"/g, "\"\"")}",1,"","${statement.replace(/"/g, "\"\"")}",1,"","psql","client backend",,0\n`
    case "postgres-json":
      return JSON.stringify({ timestamp: "2026-11-26 09:38:02.000 UTC", error_severity: "ERROR", message: "m " + statement, detail: statement, internal_query: statement, statement }) + "\n"
    case "mysql-slow":
      return `# Time: 2026-11-26T09:35:01.000244Z\n# User@Host: a[a] @  [127.0.0.1]  Id:    5\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1795685701;\n${statement};\n`
    case "mysql-general":
      return `2026-11-26T09:35:01.000000Z\t   61 Query\t${statement}\n`
    case "mysql-audit":
      return `1795685701000000,i,a,127.0.0.1,5,9,QUERY,db,'${statement.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}',0\n`
    case "mysql-error":
      return `2026-11-26T09:35:01.000000Z 5 [Warning] [MY-010000] [Server] statement was: ${statement}\n`
  }
}

describe("redaction never leaves a generated password in any output field", () => {
  const formats: LogFormat[] = ["postgres", "postgres-csv", "postgres-json", "mysql-slow", "mysql-general", "mysql-audit", "mysql-error"]
  for (const format of formats) {
    it(format, () => {
      const parser = makeParser(format)
      fc.assert(fc.property(password, fc.nat(), (pw, form) => {
        const text = render(format, statementWith(pw, form, format.startsWith("mysql")))
        const bytes = new TextEncoder().encode(text)
        for (const [s, e] of recordBounds(format, bytes)) {
          const record = parser.parse(new TextDecoder().decode(bytes.subarray(s, e)))
          const out = JSON.stringify(record)
          expect(out).not.toContain(pw)
          expect(out).toContain(REDACTED)
        }
      }), { numRuns: 300 })
    })
  }
})
