import { Cause, Config, ConfigProvider } from "effect"
import { describe, expect, it } from "vitest"
import { invalidSetting } from "@aurora-logs/core"
import { describeConfigError, reportFailure } from "./ErrorReport.ts"

describe("error report", () => {
  it("keeps a setting's message whole, closing parenthesis included", () => {
    const error = invalidSetting("OPENOBSERVE_URL", "required (an http(s) URL such as http://openobserve:5080)")
    expect(describeConfigError(error)).toBe("invalid configuration: OPENOBSERVE_URL: required (an http(s) URL such as http://openobserve:5080)")
  })

  it("reduces a schema failure to one line naming the variable", () => {
    const error = new Config.ConfigError(new ConfigProvider.SourceError({ message: "x" }))
    expect(describeConfigError(error).split("\n")).toHaveLength(1)
    const { code, message } = reportFailure(Cause.fail(invalidSetting("AURORA_LOGS_STATE", "expected file | dynamodb, got \"redis\"")))
    expect({ code, message }).toEqual({ code: 2, message: "invalid configuration: AURORA_LOGS_STATE: expected file | dynamodb, got \"redis\"" })
  })
})
