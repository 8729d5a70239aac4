import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { makeStreamNamer } from "./StreamName.ts"

const naming = fc.record({
  engine: fc.constantFrom("postgres" as const, "mysql" as const),
  log_type: fc.constantFrom("postgresql", "error", "slowquery", "general", "audit"),
  cluster: fc.constantFrom("orders-pg-a", "Shop.MySQL", "c"),
  instance: fc.constantFrom("aurora-pg-1", "aurora-mysql-2"),
  region: fc.constantFrom("eu-west-1", "us-east-1")
})

describe("StreamName", () => {
  it("the default template: aurora_postgresql and aurora_mysql_<log_type>", () => {
    const namer = makeStreamNamer()
    assert.strictEqual(namer({ engine: "postgres", log_type: "postgresql", cluster: "c", instance: "i", region: "r" }), "aurora_postgresql")
    assert.strictEqual(namer({ engine: "mysql", log_type: "slowquery", cluster: "c", instance: "i", region: "r" }), "aurora_mysql_slowquery")
  })

  it("a namer answers for every record as a fresh namer would, whatever came before (its caches never mix records up)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("aurora_{source}", "{cluster}-{log_type}", "logs.{engine}.{instance}.{region}", "fixed", "{region}"),
        fc.array(naming, { maxLength: 40 }),
        (template, records) => {
          const namer = makeStreamNamer(template)
          for (const record of records) assert.strictEqual(namer(record), makeStreamNamer(template)(record))
        }
      )
    )
  })

  it("names follow OpenObserve's rules: characters outside [a-zA-Z0-9_:] become _, all lowercase", () => {
    const namer = makeStreamNamer("{cluster}-{log_type}")
    assert.strictEqual(namer({ engine: "mysql", log_type: "audit", cluster: "Shop.MySQL", instance: "i", region: "r" }), "shop_mysql_audit")
  })
})
