import { describe, expect, it } from "vitest"
import { durationFlag, intFlag, parseFlags, UsageError } from "./Flags.ts"
import { parseByteSize } from "@aurora-logs/core"

const SPEC = { instances: "string", duration: "string", quiet: "boolean" } as const

describe("flags", () => {
  it("reads --name value, --name=value, booleans and positionals", () => {
    const f = parseFlags("demo", ["--instances", "3", "--duration=30s", "--quiet", "a.log", "--", "--not-a-flag"], SPEC)
    expect(f.values.get("instances")).toBe("3")
    expect(durationFlag("demo", f, "duration")).toBe(30_000)
    expect(f.values.get("quiet")).toBe(true)
    expect(f.positional).toEqual(["a.log", "--not-a-flag"])
  })

  it("names the flag and the expected form when a flag is wrong", () => {
    expect(() => parseFlags("demo", ["--bogus"], SPEC)).toThrow(/unknown flag --bogus/)
    expect(() => parseFlags("demo", ["--instances"], SPEC)).toThrow(/--instances needs a value/)
    expect(() => parseFlags("demo", ["--quiet=yes"], SPEC)).toThrow(/--quiet takes no value/)
    const f = parseFlags("demo", ["--instances", "0", "--duration", "soon"], SPEC)
    expect(() => intFlag("demo", f, "instances", 1, 500)).toThrow(/--instances expects a whole number from 1 to 500, got "0"/)
    expect(() => durationFlag("demo", f, "duration")).toThrow(UsageError)
  })

  it("accepts the duration forms a user types", () => {
    const of = (v: string) => durationFlag("demo", parseFlags("demo", ["--duration", v], SPEC), "duration")
    expect([of("500ms"), of("2m"), of("1h"), of("30 seconds")]).toEqual([500, 120_000, 3_600_000, 30_000])
  })
})

describe("sizes in settings", () => {
  it("are bytes or a number with a unit", () => {
    expect([parseByteSize("524288"), parseByteSize("512KiB"), parseByteSize("4 MiB"), parseByteSize("1MB")]).toEqual([524288, 524288, 4194304, 1_000_000])
    expect([parseByteSize("lots"), parseByteSize("12 parsecs"), parseByteSize("")]).toEqual([undefined, undefined, undefined])
  })
})
