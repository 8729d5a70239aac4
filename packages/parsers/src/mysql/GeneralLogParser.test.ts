/**
 * The general-log parser on excerpts of a real MariaDB 10.11 general log: the binary-protocol and
 * COM_CHANGE_USER commands a C API client sends.
 */
import { describe, expect, it } from "vitest"
import { parseText } from "../testing/Fixtures.ts"

const parseGeneral = (text: string) => parseText("mysql-general", text)

describe("MariaDB general log", () => {
  it("reads the user and database a Change user asks for, as a Connect line's", () => {
    const records = parseGeneral([
      "\t\t     5 Connect\tapp@127.0.0.1 on shop using TCP/IP",
      "\t\t     5 Query\tSELECT 'before change user'",
      "\t\t     5 Change user\trep@127.0.0.1 on hr using TCP/IP",
      "\t\t     5 Query\tSELECT COUNT(*) FROM staff",
      "\t\t     5 Change user\trep@127.0.0.1 on hr using TCP/IP",
      "\t\t     5 Connect\tAccess denied for user 'rep'@'127.0.0.1' (using password: YES)",
      "261127  0:05:46\t     5 Quit\t",
      ""
    ].join("\n"))
    expect(records.map((r) => r.command)).toEqual(["Connect", "Query", "Change user", "Query", "Change user", "Connect", "Quit"])
    expect(records[2]).toMatchObject({ thread_id: 5, user: "rep", host: "127.0.0.1", database: "hr", transport: "TCP/IP", argument: "rep@127.0.0.1 on hr using TCP/IP" })
    expect(records[2]!.event).toBeUndefined()
    expect(records[5]).toMatchObject({ event: "connection_failed" })
  })

  it("keeps the binary-protocol commands, with the statement of Prepare and Execute", () => {
    const records = parseGeneral([
      "\t\t    12 Prepare\tINSERT INTO blobs (b) VALUES (?)",
      "\t\t    12 Long Data\t",
      "\t\t    12 Long Data\t",
      "\t\t    12 Execute\tINSERT INTO blobs (b) VALUES ('chunk-one,chunk-two')",
      "\t\t    12 Reset stmt\t",
      "\t\t    12 Close stmt\t",
      "\t\t    32 Binlog Dump\tLog: 'binlog.000001'  Pos: 4",
      ""
    ].join("\n"))
    expect(records.map((r) => [r.command, r.statement ?? r.argument])).toEqual([
      ["Prepare", "INSERT INTO blobs (b) VALUES (?)"], ["Long Data", undefined], ["Long Data", undefined],
      ["Execute", "INSERT INTO blobs (b) VALUES ('chunk-one,chunk-two')"], ["Reset stmt", undefined], ["Close stmt", undefined],
      ["Binlog Dump", "Log: 'binlog.000001'  Pos: 4"]
    ])
    expect(records.filter((r) => r.parse_error !== undefined)).toEqual([])
  })
})
