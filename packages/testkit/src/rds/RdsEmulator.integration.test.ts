/**
 * The emulator's own protocol and pitfall model, driven over HTTP with a well-formed (unverified) SigV4 header.
 * packages/aws tests the real SDK client against it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SimulatedFleet } from "@aurora-logs/core"
import { RdsEmulator, TRUNCATION_SUFFIX } from "./RdsEmulator.ts"

const AUTH = `AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/rds/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`
const FILE = "error/postgresql.log.2026-11-26-10"

const lines = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `line ${from + i}\n`).join("")

const withEmulator = <A>(test: (emulator: RdsEmulator, fleet: SimulatedFleet) => Promise<A>) =>
  Effect.gen(function*() {
    const fleet = new SimulatedFleet()
    fleet.addInstance({ id: "pg-1", cluster: "pg", engine: "postgres", role: "writer", region: "us-east-1", tags: { team: "db" } })
    fleet.append("pg-1", FILE, lines(100), 1_000)
    const emulator = yield* RdsEmulator.scoped({ fleet })
    return yield* Effect.promise(() => test(emulator, fleet))
  }).pipe(Effect.scoped)

const query = async (emulator: RdsEmulator, params: Record<string, string>) => {
  const response = await fetch(emulator.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: AUTH },
    body: new URLSearchParams({ Version: "2014-10-31", ...params }).toString()
  })
  return { status: response.status, body: await response.text() }
}

const tag = (body: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(body)?.[1]

const portion = (emulator: RdsEmulator, params: Record<string, string>) =>
  query(emulator, { Action: "DownloadDBLogFilePortion", DBInstanceIdentifier: "pg-1", LogFileName: FILE, ...params })

describe("RdsEmulator", () => {
  it.live("pages a file by marker and line count; markers are N:OFFSET byte offsets", () =>
    withEmulator(async (emulator) => {
      const first = await portion(emulator, { Marker: "0", NumberOfLines: "10" })
      assert.strictEqual(first.status, 200)
      assert.strictEqual(tag(first.body, "LogFileData"), lines(10))
      assert.match(tag(first.body, "Marker") ?? "", new RegExp(`^\\d+:${lines(10).length}$`))
      assert.strictEqual(tag(first.body, "AdditionalDataPending"), "true")
      const last = await portion(emulator, { Marker: tag(first.body, "Marker") as string, NumberOfLines: "1000" })
      assert.strictEqual(tag(last.body, "LogFileData"), lines(90, 10))
      assert.strictEqual(tag(last.body, "AdditionalDataPending"), "false")
    }))

  it.live("without a marker answers the last lines of the file", () =>
    withEmulator(async (emulator) => {
      const tail = await portion(emulator, { NumberOfLines: "3" })
      assert.strictEqual(tag(tail.body, "LogFileData"), lines(3, 97))
    }))

  it.live("cuts an answer over the limit with the truncation notice, keeping the marker of the whole answer", () =>
    withEmulator(async (emulator) => {
      emulator.knobs.portionLimitBytes = 50
      const cut = await portion(emulator, { Marker: "0", NumberOfLines: "20" })
      const data = tag(cut.body, "LogFileData") ?? ""
      assert.isTrue(data.endsWith(TRUNCATION_SUFFIX))
      assert.strictEqual(data.length, 50 + TRUNCATION_SUFFIX.length)
      assert.isTrue((tag(cut.body, "Marker") ?? "").endsWith(`:${lines(20).length}`))
    }))

  it.live("answers AWS error XML with the SDK's codes and statuses", () =>
    withEmulator(async (emulator) => {
      const missing = await portion(emulator, { LogFileName: "nope", Marker: "0" })
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(tag(missing.body, "Code"), "DBLogFileNotFoundFault")
      assert.strictEqual(tag(missing.body, "Type"), "Sender")
      assert.isDefined(tag(missing.body, "RequestId"))
      const gone = await query(emulator, { Action: "DescribeDBLogFiles", DBInstanceIdentifier: "pg-9" })
      assert.deepStrictEqual([gone.status, tag(gone.body, "Code")], [404, "DBInstanceNotFound"])
      emulator.knobs.notReady.add("pg-1")
      const paused = await portion(emulator, { Marker: "0" })
      assert.deepStrictEqual([paused.status, tag(paused.body, "Code")], [400, "DBInstanceNotReady"])
      emulator.knobs.notReady.clear()
      emulator.knobs.binaryFiles.add(`pg-1/${FILE}`)
      const binary = await portion(emulator, { Marker: "0" })
      assert.deepStrictEqual([binary.status, tag(binary.body, "Code")], [400, "InvalidParameterValue"])
      assert.include(tag(binary.body, "Message"), "binary data")
    }))

  it.live("throttles every Nth call", () =>
    withEmulator(async (emulator) => {
      emulator.knobs.throttleEvery = 2
      const statuses: Array<string | undefined> = []
      for (let i = 0; i < 4; i++) statuses.push(tag((await query(emulator, { Action: "DescribeDBLogFiles", DBInstanceIdentifier: "pg-1" })).body, "Code"))
      assert.deepStrictEqual(statuses, [undefined, "Throttling", undefined, "Throttling"])
    }))

  it.live("throttles calls over a rate per second", () =>
    withEmulator(async (emulator) => {
      emulator.knobs.throttleRate = 2
      const codes: Array<string | undefined> = []
      for (let i = 0; i < 5; i++) codes.push(tag((await query(emulator, { Action: "DescribeDBLogFiles", DBInstanceIdentifier: "pg-1" })).body, "Code"))
      // Five calls fall into at most two one-second windows, so at least one window is over the rate.
      assert.include(codes, "Throttling")
    }))

  it.live("overlap and trailing blank line knobs change the answer but not the marker", () =>
    withEmulator(async (emulator) => {
      emulator.knobs.overlapEvery = 1
      emulator.knobs.trailingBlankLines = 2
      const answer = await portion(emulator, { Marker: `1:${lines(10).length}`, NumberOfLines: "2" })
      assert.strictEqual(tag(answer.body, "LogFileData"), lines(3, 9) + "\n\n")
      assert.isTrue((tag(answer.body, "Marker") ?? "").endsWith(`:${lines(12).length}`))
    }))

  it.live("rotates a file by rename when it is read mid-way", () =>
    withEmulator(async (emulator, fleet) => {
      emulator.knobs.rotateOnRead = { instance: "pg-1", file: FILE, renamedTo: `${FILE}.old` }
      const answer = await portion(emulator, { Marker: "1:5" })
      assert.strictEqual(tag(answer.body, "LogFileData"), "")
      assert.strictEqual(fleet.bytes("pg-1", `${FILE}.old`)?.length, lines(100).length)
    }))

  it.live("lists clusters with members, writer flags and tags, page by page", () =>
    withEmulator(async (emulator, fleet) => {
      fleet.addInstance({ id: "pg-2", cluster: "pg", engine: "postgres", role: "reader", region: "us-east-1", tags: {} })
      fleet.addInstance({ id: "my-1", cluster: "my", engine: "mysql", role: "writer", region: "us-east-1", tags: {} })
      emulator.knobs.listPageSize = 1
      const first = await query(emulator, { Action: "DescribeDBClusters" })
      assert.strictEqual(tag(first.body, "DBClusterIdentifier"), "pg")
      assert.include(first.body, "<DBClusterMember><DBInstanceIdentifier>pg-2</DBInstanceIdentifier><IsClusterWriter>false</IsClusterWriter>")
      assert.include(first.body, "<Tag><Key>team</Key><Value>db</Value></Tag>")
      const second = await query(emulator, { Action: "DescribeDBClusters", Marker: tag(first.body, "Marker") as string })
      assert.strictEqual(tag(second.body, "Engine"), "aurora-mysql")
      assert.isUndefined(tag(second.body, "Marker"))
    }))

  it.live("with credentials configured, verifies signatures: a forged one or an unknown key is refused", () =>
    Effect.gen(function*() {
      const fleet = new SimulatedFleet()
      fleet.addInstance({ id: "pg-1", cluster: "pg", engine: "postgres", role: "writer", region: "us-east-1", tags: {} })
      const emulator = yield* RdsEmulator.scoped({ fleet, credentials: [{ accessKeyId: "AKID", secretAccessKey: "s" }] })
      const forged = yield* Effect.promise(() => query(emulator, { Action: "DescribeDBLogFiles", DBInstanceIdentifier: "pg-1" }))
      assert.deepStrictEqual([forged.status, tag(forged.body, "Code")], [403, "SignatureDoesNotMatch"])
      const unknown = yield* Effect.promise(() =>
        fetch(emulator.url, { method: "POST", headers: { authorization: AUTH.replace("AKID/", "OTHER/") }, body: "Action=DescribeDBLogFiles" })
          .then((r) => r.text()))
      assert.strictEqual(tag(unknown, "Code"), "InvalidClientTokenId")
    }).pipe(Effect.scoped))

  it.live("streams the complete file on the REST path; unsigned requests are refused", () =>
    withEmulator(async (emulator, fleet) => {
      const signed = await fetch(`${emulator.url}/v13/downloadCompleteLogFile/pg-1/${FILE}`, { headers: { authorization: AUTH } })
      assert.strictEqual(signed.status, 200)
      assert.deepStrictEqual(Buffer.from(await signed.arrayBuffer()), Buffer.from(fleet.bytes("pg-1", FILE) as Uint8Array))
      const unsigned = await fetch(`${emulator.url}/v13/downloadCompleteLogFile/pg-1/${FILE}`)
      assert.strictEqual(unsigned.status, 403)
      assert.strictEqual(tag(await unsigned.text(), "Code"), "MissingAuthenticationToken")
      assert.strictEqual(emulator.callCount("DownloadCompleteLogFile"), 2)
    }))
})
