/**
 * The slow-log parser on excerpts of a real MariaDB 10.11 slow log: the explain block that
 * log_slow_verbosity=query_plan,explain adds to the header, and statements that look like the lines
 * mysqld writes before a statement (a client's own "use `db`").
 */
import { describe, expect, it } from "vitest"
import { parseText } from "../testing/Fixtures.ts"

const parseSlow = (text: string) => parseText("mysql-slow", text)

describe("MariaDB slow log", () => {
  it("reads the header block of log_slow_verbosity=query_plan,explain up to the SET timestamp line", () => {
    const [scan, noTable] = parseSlow([
      "# User@Host: invapp[invapp] @  [127.0.0.1]",
      "# Thread_id: 43  Schema:   QC_hit: No",
      "# Query_time: 0.000076  Lock_time: 0.000024  Rows_sent: 1  Rows_examined: 50",
      "# Rows_affected: 0  Bytes_sent: 64",
      "# Full_scan: Yes  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No",
      "# Filesort: No  Filesort_on_disk: No  Merge_passes: 0  Priority_queue: No",
      "#",
      "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tr_rows\tfiltered\tr_filtered\tExtra",
      "# explain: 1\tSIMPLE\titems\tindex\tNULL\tsku\t131\tNULL\t49\t50.00\t100.00\t100.00\tUsing index",
      "#",
      "SET timestamp=1795734816;",
      "SELECT COUNT(*) FROM inventory.items;",
      "# User@Host: invapp[invapp] @  [127.0.0.1]",
      "# Thread_id: 40  Schema: inventory  QC_hit: No",
      "# Query_time: 0.000336  Lock_time: 0.000204  Rows_sent: 1  Rows_examined: 2",
      "# Rows_affected: 0  Bytes_sent: 124",
      "#",
      "# explain: id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tr_rows\tfiltered\tr_filtered\tExtra",
      "# explain: 1\tSIMPLE\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNULL\tNo tables used",
      "#",
      "SET timestamp=1795734816;",
      "SELECT stock_value(3) AS v, stock_value(4);",
      ""
    ].join("\n"))
    expect(scan).toMatchObject({
      user: "invapp", client_addr: "127.0.0.1", thread_id: 43, query_time_s: 0.000076, rows_examined: 50, full_scan: "Yes", merge_passes: 0,
      _timestamp: 1795734816_000_000, query_start: 1795734816_000_000, statement: "SELECT COUNT(*) FROM inventory.items",
      fingerprint: "select count(*) from inventory.items",
      explain: "id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tr_rows\tfiltered\tr_filtered\tExtra\n" +
        "1\tSIMPLE\titems\tindex\tNULL\tsku\t131\tNULL\t49\t50.00\t100.00\t100.00\tUsing index"
    })
    expect(noTable).toMatchObject({ thread_id: 40, schema: "inventory", _timestamp: 1795734816_000_000, statement: "SELECT stock_value(3) AS v, stock_value(4)" })
    expect(noTable!.explain).toContain("No tables used")
  })

  it("takes what follows the SET timestamp line as the statement, even a client's own use `db`", () => {
    const [use, upper] = parseSlow([
      "# User@Host: invapp[invapp] @  [127.0.0.1]",
      "# Thread_id: 10  Schema: inventory  QC_hit: No",
      "# Query_time: 0.000010  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
      "# Rows_affected: 0  Bytes_sent: 11",
      "use `inventory`;",
      "SET timestamp=1795734809;",
      "use `inventory`;",
      "# User@Host: invapp[invapp] @  [127.0.0.1]",
      "# Thread_id: 18  Schema: inventory  QC_hit: No",
      "# Query_time: 0.000012  Lock_time: 0.000000  Rows_sent: 0  Rows_examined: 0",
      "# Rows_affected: 0  Bytes_sent: 11",
      "SET timestamp=1600000000;",
      // The client sent "SET timestamp = 1600000000" here; written without blanks it is mysqld's own line.
      "SET timestamp=1600000000;",
      ""
    ].join("\n"))
    expect(use).toMatchObject({ thread_id: 10, schema: "inventory", _timestamp: 1795734809_000_000, statement: "use `inventory`", fingerprint: "use ?" })
    expect(upper).toMatchObject({ thread_id: 18, query_start: 1600000000_000_000, statement: "SET timestamp=1600000000", fingerprint: "set timestamp=?" })
  })

  it("fingerprints an administrator command as pt-fingerprint does", () => {
    const [admin] = parseSlow([
      "# Time: 2026-11-26T23:13:31.000012Z",
      "# User@Host: root[root] @ localhost []  Id:    13",
      "# Query_time: 0.000012  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0",
      "SET timestamp=1795734811;",
      "# administrator command: Refresh;",
      ""
    ].join("\n"))
    expect(admin).toMatchObject({ event: "administrator_command", command: "Refresh", fingerprint: "administrator command: Refresh", thread_id: 13 })
  })

  it("keeps a statement's own lines that begin with # Time: or # User@Host: in the statement", () => {
    const records = parseSlow([
      "# User@Host: app[app] @  [127.0.0.1]",
      "# Thread_id: 7  Schema: shop  QC_hit: No",
      "# Query_time: 0.000070  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0",
      "# Rows_affected: 0  Bytes_sent: 114",
      "SET timestamp=1795737946;",
      "SELECT 1 AS a,",
      "# Time: not a header",
      "2 AS b,",
      "-- SET timestamp=1;",
      "3 AS c;",
      "# User@Host: app[app] @  [127.0.0.1]",
      "# Thread_id: 4  Schema: shop  QC_hit: No",
      "# Query_time: 0.001160  Lock_time: 0.000843  Rows_sent: 1  Rows_examined: 1",
      "# Rows_affected: 0  Bytes_sent: 79",
      "use `shop`;",
      "SET timestamp=1795737996;",
      "SELECT cust",
      "# User@Host: copied from a report [sic]",
      "FROM orders WHERE id = 7;",
      "# User@Host: app[app] @  [127.0.0.1]",
      "# Thread_id: 4  Schema: shop  QC_hit: No",
      "# Query_time: 0.000070  Lock_time: 0.000000  Rows_sent: 1  Rows_examined: 0",
      "# Rows_affected: 0  Bytes_sent: 103",
      "SET timestamp=1795737996;",
      "SELECT 1",
      ""
    ].join("\n"))
    expect(records).toHaveLength(3)
    expect(records.filter((r) => r.parse_error !== undefined)).toEqual([])
    expect(records[0]).toMatchObject({ thread_id: 7, rows_sent: 1, statement: "SELECT 1 AS a,\n# Time: not a header\n2 AS b,\n-- SET timestamp=1;\n3 AS c" })
    expect(records[1]).toMatchObject({ thread_id: 4, rows_examined: 1, statement: "SELECT cust\n# User@Host: copied from a report [sic]\nFROM orders WHERE id = 7" })
  })
})
