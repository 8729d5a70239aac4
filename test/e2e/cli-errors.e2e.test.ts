/**
 * Bad configuration or flags, as a user meets them: a one-line error on stderr naming the setting and the expected
 * form, and exit code 2; nothing is started.
 */
import { describe, expect, it } from "vitest"
import { startCli, withDeadline } from "./CliProcess.ts"

const run = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const p = startCli(args, env)
  const code = await withDeadline(`aurora-logs ${args.join(" ")}`, p.exited, 30_000)
  return { code, output: p.output().trim() }
}

describe("aurora-logs on bad input", () => {
  it.each([
    [["demo", "--instances", "zero"], {}, /--instances expects a whole number/],
    [["demo", "--bogus"], {}, /unknown flag --bogus/],
    [["demo", "--duration", "soon"], {}, /--duration expects a duration/],
    [["demo"], { AURORA_LOGS_BATCH_RECORDS: "many" }, /AURORA_LOGS_BATCH_RECORDS/],
    [["demo"], { AURORA_LOGS_CARRY_CAP: "lots" }, /AURORA_LOGS_CARRY_CAP: expected a size/],
    [["demo"], { AURORA_LOGS_START_AT: "yesterday" }, /AURORA_LOGS_START_AT.*"beginning" \| "now" \| "since"/],
    [["frobnicate"], {}, /unknown command "frobnicate"/]
  ] as const)("%j %j exits 2 with one line naming what is wrong", async (args, env, message) => {
    const { code, output } = await run(args, env)
    expect(code).toBe(2)
    expect(output.split("\n")).toHaveLength(1)
    expect(output).toMatch(message)
  })
})
