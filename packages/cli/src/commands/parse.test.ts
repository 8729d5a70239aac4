/**
 * `aurora-logs parse` on the fixture files: NDJSON records with file/offset/log_type/engine, --stats
 * against the fixtures' ground truth, stdin and .gz input, --format/--prefix/--no-redact, records cut at
 * --max-record-bytes, bad flags (exit 2) and unreadable files (reported, others still processed, exit 1);
 * and hostile input: a byte order mark, a .gz file that breaks off, a reader that closes stdout early.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PassThrough, Readable, Writable } from "node:stream"
import { fileURLToPath } from "node:url"
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { parseCommandWith } from "./parse.ts"

const FIXTURES = fileURLToPath(new URL("../../../testkit/fixtures/", import.meta.url))
const fixture = (name: string) => join(FIXTURES, name)
const truth = (name: string) => JSON.parse(readFileSync(fixture(name) + ".truth.json", "utf8"))

async function run(argv: string[], stdinText?: Uint8Array | string | ReadonlyArray<Uint8Array>, stdout: Writable = new PassThrough()) {
  const stderr = new PassThrough()
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on("data", (c: Buffer) => out.push(c))
  stderr.on("data", (c: Buffer) => err.push(c))
  const chunks = stdinText === undefined ? [] : typeof stdinText === "string" ? [Buffer.from(stdinText)] : stdinText instanceof Uint8Array ? [stdinText] : stdinText
  const stdin = Readable.from(chunks)
  const code = await Effect.runPromise(parseCommandWith(argv, { stdin, stdout, stderr }))
  return { code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }
}

const ndjson = (text: string) => text.split("\n").filter((l) => l.length > 0).map((l) => JSON.parse(l))

describe("aurora-logs parse", () => {
  it("prints one NDJSON record per event with file, offset, log_type and engine", async () => {
    const file = fixture("postgresql/postgresql.log.2026-11-26-0938")
    const { code, stdout, stderr } = await run([file])
    expect(code).toBe(0)
    expect(stderr).toBe("")
    const records = ndjson(stdout)
    expect(records.length).toBe(truth("postgresql/postgresql.log.2026-11-26-0938").records.convention_events)
    expect(records[0]).toMatchObject({ file, offset: 0, log_type: "postgresql", engine: "postgres", severity: "LOG" })
    const bytes = readFileSync(file)
    for (const r of records.slice(0, 50)) expect(bytes.subarray(r.offset, r.offset + 10).toString()).toBe("2026-11-26")
  })

  it("--stats matches the ground truth of PostgreSQL and MySQL fixtures together", async () => {
    const pg = "postgresql/postgresql.log.2026-11-26-0937"
    const audit = "aurora-mysql/audit/audit.log.0.2026-11-26-09-35.0"
    const { code, stdout } = await run(["--stats", fixture(pg), fixture(audit)])
    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    const pgTruth = truth(pg)
    const auditTruth = truth(audit)
    expect(stats.records).toBe(pgTruth.records.convention_events + auditTruth.rows)
    expect(stats.lines).toBe(pgTruth.physical_lines + auditTruth.physical_lines)
    expect(stats.bytes).toBe(pgTruth.bytes + auditTruth.bytes)
    expect(stats.by_severity).toEqual({ ...pgTruth.severity_convention_events, "(none)": auditTruth.rows })
    expect(stats.by_log_type).toEqual({ postgresql: pgTruth.records.convention_events, audit: auditTruth.rows })
    expect(stats.duration).toEqual({ count: pgTruth.duration.records, sum_ms: Number(pgTruth.duration.sum_ms) })
    expect(stats.connections).toBe(pgTruth.connections.authorized + auditTruth.rows_by_operation.CONNECT)
    expect(stats.disconnections).toBe(pgTruth.connections.disconnections + auditTruth.rows_by_operation.DISCONNECT)
    expect(stats.unparsed).toBe(0)
  })

  it("reads stdin for - and detects the format from the content", async () => {
    const bytes = readFileSync(fixture("mariadb/mysql-slowquery.log"))
    const { code, stdout } = await run(["--stats", "-"], bytes)
    expect(code).toBe(0)
    const stats = JSON.parse(stdout)
    expect(stats.by_log_type).toEqual({ slowquery: truth("mariadb/mysql-slowquery.log").entries + 1 })
  })

  it("reads .gz files transparently", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parse-gz-"))
    const name = "mysql-general.log.2026-11-26.0934"
    const plain = fixture("mariadb/" + name)
    const gz = join(dir, name + ".gz")
    writeFileSync(gz, gzipSync(readFileSync(plain)))
    const a = ndjson((await run([plain])).stdout).map(({ file: _f, ...r }) => r)
    const b = ndjson((await run([gz])).stdout).map(({ file: _f, ...r }) => r)
    expect(b).toEqual(a)
    expect(a.length).toBe(truth("mariadb/" + name).records + 1)
  })

  it("honours --format and --prefix", async () => {
    const line = "2026-11-26 09:39:01.250 UTC [77] app@shop LOG:  duration: 2.5 ms  statement: SELECT 1\n"
    const { code, stdout } = await run(["--format", "postgres", "--prefix=%m [%p] %u@%d ", "-"], line)
    expect(code).toBe(0)
    expect(ndjson(stdout)).toEqual([expect.objectContaining({ pid: 77, user: "app", database: "shop", duration_ms: 2.5, statement: "SELECT 1", log_type: "postgresql" })])
  })

  it("says on stderr when most records of a file did not parse, and still prints them all", async () => {
    const text = "2026-11-26 09:39:01.250 UTC [77] app@shop LOG:  duration: 2.5 ms  statement: SELECT 1\n".repeat(3)
    const wrongPrefix = await run(["--format", "postgres", "-"], text)
    expect(wrongPrefix.code).toBe(0)
    expect(ndjson(wrongPrefix.stdout)).toEqual([expect.objectContaining({ parse_error: expect.any(String) })])
    expect(wrongPrefix.stderr).toContain("1 of 1 records did not parse")
    expect(wrongPrefix.stderr).toContain("--prefix")
    const rightPrefix = await run(["--format", "postgres", "--prefix=%m [%p] %u@%d ", "-"], text)
    expect(ndjson(rightPrefix.stdout)).toHaveLength(3)
    expect(rightPrefix.stderr).toBe("")
  })

  it("redacts passwords unless --no-redact", async () => {
    const line = "2026-11-26 09:39:01 UTC:[local]:postgres@postgres:[7]:LOG:  duration: 1.0 ms  statement: ALTER ROLE app PASSWORD 'hunter2'\n"
    expect((await run(["--format=postgres", "-"], line)).stdout).not.toContain("hunter2")
    expect((await run(["--format=postgres", "--no-redact", "-"], line)).stdout).toContain("hunter2")
  })

  it.each([
    [["--format", "yaml", "x"], "--format yaml"],
    [["--frobnicate", "x"], "--frobnicate"],
    [["--prefix"], "--prefix"],
    [["--stats=yes", "x"], "--stats"],
    [["--max-record-bytes", "lots", "x"], "--max-record-bytes lots"],
    [["--max-record-bytes=0", "x"], "--max-record-bytes 0"],
    [[], "FILE"]
  ])("rejects bad usage %j with one line on stderr and exit 2", async (argv, named) => {
    const { code, stderr, stdout } = await run(argv)
    expect(code).toBe(2)
    expect(stdout).toBe("")
    expect(stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(stderr).toContain(named)
  })

  it("reports an unreadable file, still processes the others, and exits 1", async () => {
    const good = fixture("mariadb/server_audit.log")
    const { code, stdout, stderr } = await run(["/nonexistent/file.log", good])
    expect(code).toBe(1)
    expect(stderr).toContain("/nonexistent/file.log")
    expect(ndjson(stdout).length).toBe(truth("mariadb/server_audit.log").rows)
  })

  it("cuts a record longer than --max-record-bytes there, flags it truncated and says so, as the pipeline ships it", async () => {
    // Read in the wrong format, a whole file is one record: it is cut instead of held whole.
    const file = fixture("postgresql/postgresql.log.2026-11-26-0938")
    const size = readFileSync(file).length
    const { code, stdout, stderr } = await run(["--format", "mysql-slow", "--max-record-bytes", "4KiB", file])
    expect(code).toBe(0)
    const records = ndjson(stdout)
    expect(records).toEqual([expect.objectContaining({ offset: 0, truncated: true, parse_error: expect.any(String) })])
    expect(Buffer.byteLength(records[0].raw)).toBe(4096)
    expect(stderr).toContain(`1 record(s) longer than 4096 bytes were cut there (truncated: true), ${size - 4096} bytes left out`)
    // The records after a cut one are read as before.
    const long = "2026-11-26 09:39:01 UTC:[local]:app@shop:[7]:LOG:  statement: SELECT '" + "x".repeat(10_000) + "'\n"
    const next = "2026-11-26 09:39:02 UTC:[local]:app@shop:[7]:LOG:  duration: 2.5 ms\n"
    const after = await run(["--format", "postgres", "--max-record-bytes", "1024", "-"], long + next)
    expect(ndjson(after.stdout)).toEqual([
      expect.objectContaining({ offset: 0, truncated: true, statement: expect.stringMatching(/^SELECT 'x+$/) }),
      expect.objectContaining({ offset: Buffer.byteLength(long), duration_ms: 2.5 })
    ])
  })

  it("streams a 5 MB line and many chunks without losing a byte", async () => {
    const big = "1795685701000000,i,a,localhost,58,1,QUERY,db,'SELECT " + "x".repeat(5 * 1024 * 1024) + "',0\n"
    const { code, stdout } = await run(["--format", "mysql-audit", "-"], big + big)
    expect(code).toBe(0)
    const records = ndjson(stdout)
    expect(records.map((r) => r.offset)).toEqual([0, Buffer.byteLength(big)])
    expect(records[1].statement.length).toBe(5 * 1024 * 1024 + 7)
  })

  it.each([
    ["postgres", "postgresql/postgresql.log.2026-11-27-1106"],
    ["postgres-csv", "postgresql/postgresql.log.2026-11-27-0550.csv"],
    ["postgres-json", "postgresql/postgresql.log.2026-11-26-0939.json"],
    ["mysql-error", "mariadb/mysql-error.log"],
    ["mysql-slow", "mariadb/mysql-slowquery.log.2026-11-26.0935"],
    ["mysql-general", "mariadb/mysql-general.log"],
    ["mysql-audit", "mariadb/server_audit.log"]
  ])("reads a %s file that begins with a UTF-8 byte order mark as the same file without it", async (format, name) => {
    const bytes = readFileSync(fixture(name))
    const plain = ndjson((await run(["--format", format, "-"], bytes)).stdout)
    // The mark arrives split over chunks, as a pipe may deliver it.
    const bom = Buffer.from([0xef, 0xbb, 0xbf])
    const marked = await run(["--format", format, "-"], [bom.subarray(0, 1), Buffer.concat([bom.subarray(1), bytes.subarray(0, 100)]), bytes.subarray(100)])
    expect(marked.code).toBe(0)
    // Offsets stay byte offsets in the file: the mark's three bytes come first.
    expect(ndjson(marked.stdout)).toEqual(plain.map((r) => ({ ...r, offset: r.offset + 3 })))
    const stats = JSON.parse((await run(["--stats", "-"], Buffer.concat([bom, bytes]))).stdout)
    expect(stats).toMatchObject({ bytes: bytes.length + 3, records: plain.length, unparsed: plain.filter((r) => r.parse_error !== undefined).length })
  })

  it("keeps a file that is only a byte order mark, or less than one, to the byte", async () => {
    expect((await run(["--stats", "-"], Buffer.from([0xef, 0xbb, 0xbf]))).stdout).toContain(`"records":0,"lines":0,"bytes":3,`)
    expect(ndjson((await run(["-"], Buffer.from([0xef, 0xbb]))).stdout)).toEqual([expect.objectContaining({ offset: 0, raw: "\ufffd" })])
  })

  it("keeps the records of a .gz file read before it breaks off, then reports the file and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parse-gz-"))
    const plain = readFileSync(fixture("postgresql/postgresql.log.2026-11-26-0937"))
    const gz = join(dir, "postgresql.log.gz")
    const whole = gzipSync(plain)
    const cut = whole.subarray(0, whole.length >> 1)
    writeFileSync(gz, cut)
    const { code, stdout, stderr } = await run([gz])
    expect(code).toBe(1)
    expect(stderr.trimEnd().split("\n")).toEqual([`aurora-logs parse: cannot read ${gz}: unexpected end of file`])
    // Every byte gunzip gave before the end is in a record, the last one as far as it came.
    const given = gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH })
    expect(given.length).toBeGreaterThan(100_000)
    const expected = ndjson((await run(["--format", "postgres", "-"], given)).stdout).map((r) => ({ ...r, file: gz }))
    expect(ndjson(stdout)).toEqual(expected)
  })

  it("keeps the records of a .gz file read before its damaged part, then reports the file and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parse-gz-"))
    const plain = readFileSync(fixture("postgresql/postgresql.log.2026-11-26-0937"))
    const gz = join(dir, "postgresql.log.gz")
    const damaged = gzipSync(plain)
    damaged.fill(0xff, damaged.length >> 1, (damaged.length >> 1) + 64)
    writeFileSync(gz, damaged)
    const { code, stdout, stderr } = await run([gz])
    expect(code).toBe(1)
    expect(stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(`^aurora-logs parse: cannot read ${gz}: \\S`)])
    expect(ndjson(stdout).length).toBeGreaterThan(100)
  })

  it("reports a missing .gz file, or a directory named .gz, like any other unreadable file and goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parse-gz-"))
    const folder = join(dir, "logs.gz")
    mkdirSync(folder)
    const good = fixture("mariadb/server_audit.log")
    const { code, stdout, stderr } = await run([join(dir, "missing.log.gz"), folder, good])
    expect(code).toBe(1)
    expect(stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(`^aurora-logs parse: cannot read ${dir}/missing.log.gz: ENOENT`),
      expect.stringMatching(`^aurora-logs parse: cannot read ${folder}: EISDIR`)
    ])
    expect(ndjson(stdout).length).toBe(truth("mariadb/server_audit.log").rows)
  })

  it("reports a .gz file that is not gzip at all as unreadable, in one line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parse-gz-"))
    const fake = join(dir, "postgresql.log.gz")
    writeFileSync(fake, "2026-11-26 09:39:01 UTC::@:[7]:LOG:  plain text\n")
    const { code, stdout, stderr } = await run([fake])
    expect(code).toBe(1)
    expect(stdout).toBe("")
    expect(stderr.trimEnd().split("\n")).toEqual([expect.stringContaining(`cannot read ${fake}: `)])
  })

  it.each([[[]], [["--stats"]]])("stops quietly with exit 0 when the reader closes stdout early (%j), as `| head` does", async (flags) => {
    let writes = 0
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        writes++
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
      }
    })
    const file = fixture("postgresql/postgresql.log.2026-11-26-0937")
    const { code, stderr } = await run([...flags, file, file, file], undefined, closed)
    expect(code).toBe(0)
    expect(stderr).toBe("")
    expect(writes).toBe(1)
  })

  it("reports an output that fails otherwise in one line, without blaming the file, and exits 1", async () => {
    const full = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error("no space left on device, write"), { code: "ENOSPC" }))
      }
    })
    const { code, stderr } = await run([fixture("mariadb/server_audit.log")], undefined, full)
    expect(code).toBe(1)
    expect(stderr.trimEnd().split("\n")).toEqual(["aurora-logs parse: cannot write the output: no space left on device, write"])
  })

  it.each([
    ["UTF-16LE with a byte order mark", "utf16le", [0xff, 0xfe]],
    ["UTF-16LE without one", "utf16le", []],
    ["UTF-16BE with a byte order mark", "utf16be", [0xfe, 0xff]]
  ])("keeps a %s file's bytes in records and says on stderr to convert it to UTF-8", async (_, encoding, mark) => {
    const text = readFileSync(fixture("postgresql/postgresql.log.2026-11-27-1106"), "utf8").slice(0, 2000)
    const le = Buffer.from(text, "utf16le")
    const bytes = Buffer.concat([Buffer.from(mark), encoding === "utf16be" ? le.swap16() : le])
    const { code, stdout, stderr } = await run(["--stats", "-"], bytes)
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toMatchObject({ bytes: bytes.length })
    expect(stderr.trimEnd().split("\n")).toEqual([expect.stringContaining("looks like UTF-16 text: the parsers read UTF-8; convert it first, e.g. iconv -f UTF-16 -t UTF-8")])
  })
})
