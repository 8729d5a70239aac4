/**
 * jsonlog against csvlog for the same event of a real PostgreSQL 15 server with
 * log_error_verbosity = verbose: jsonlog splits the source location into three keys where csvlog (and
 * stderr's LOCATION line) has one "function, file:line" column; both give the same record.
 */
import { describe, expect, it } from "vitest"
import { makeParser } from "../Parser.ts"

const CSV_ROW = [
  `2026-11-26 23:15:01.877 UTC,"shopkeeper","inventory",10688,"127.0.0.1:35690",6b08bd75.29c0,5,"SELECT",2026-11-26 23:15:01 UTC,3/676,0,ERROR,22023,"negative quantity -5 for stock","The requested quantity was -5.`,
  `Second detail line.","Use a non-negative number.",,,"PL/pgSQL function wh.check_qty(integer) line 4 at RAISE`,
  `PL/pgSQL function wh.inner_fn(integer) line 4 at assignment`,
  `PL/pgSQL function wh.outer_fn(integer) line 3 at RETURN","SELECT wh.outer_fn(-5);",,"exec_stmt_raise, pl_exec.c:3891","warehouse-api","client backend",,1528151955021843320`,
  ""
].join("\n")

const JSON_ROW = `{"timestamp":"2026-11-26 23:15:01.877 UTC","user":"shopkeeper","dbname":"inventory","pid":10688,"remote_host":"127.0.0.1","remote_port":35690,"session_id":"6b08bd75.29c0","line_num":5,"ps":"SELECT","session_start":"2026-11-26 23:15:01 UTC","vxid":"3/676","txid":0,"error_severity":"ERROR","state_code":"22023","message":"negative quantity -5 for stock","detail":"The requested quantity was -5.\\nSecond detail line.","hint":"Use a non-negative number.","context":"PL/pgSQL function wh.check_qty(integer) line 4 at RAISE\\nPL/pgSQL function wh.inner_fn(integer) line 4 at assignment\\nPL/pgSQL function wh.outer_fn(integer) line 3 at RETURN","statement":"SELECT wh.outer_fn(-5);","func_name":"exec_stmt_raise","file_name":"pl_exec.c","file_line_num":3891,"application_name":"warehouse-api","backend_type":"client backend","query_id":1528151955021843320}\n`

describe("PostgreSQL jsonlog with log_error_verbosity = verbose", () => {
  it("gives the csvlog row's location and nothing else of its own", () => {
    const fromJson = makeParser("postgres-json").parse(JSON_ROW)
    expect(fromJson.location).toBe("exec_stmt_raise, pl_exec.c:3891")
    expect(fromJson).toEqual(makeParser("postgres-csv").parse(CSV_ROW))
  })

  it("gives file:line when the server knows no function", () => {
    const r = makeParser("postgres-json").parse(`{"timestamp":"2026-11-26 23:15:01.877 UTC","pid":1,"error_severity":"LOG","message":"m","file_name":"x.c","file_line_num":7}`)
    expect(r.location).toBe("x.c:7")
    expect(r.file_name).toBeUndefined()
  })
})
