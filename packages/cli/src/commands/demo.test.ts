/**
 * `aurora-logs demo`'s flag errors: refused at start as one line naming the flag (exit code 2), before the demo
 * writes anything.
 */
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { UsageError } from "../Flags.ts"
import { demoCommand } from "./demo.ts"

const failure = (argv: Array<string>) => Effect.runPromise(Effect.flip(demoCommand(argv)))

describe("demo", () => {
  it("refuses --out or --data-dir naming a file rather than a folder, instead of retrying the sink for ever", async () => {
    const dir = mkdtempSync(join(tmpdir(), "demo-flags-"))
    const file = join(dir, "a-file")
    writeFileSync(file, "")
    const out = await failure(["--out", file, "--duration", "1s", "--quiet", "--data-dir", join(dir, "data")])
    expect(out).toBeInstanceOf(UsageError)
    expect((out as UsageError).message).toBe(`demo: --out expects a folder, "${file}" is a file`)
    const data = await failure(["--data-dir", file, "--duration", "1s", "--quiet"])
    expect((data as UsageError).message).toBe(`demo: --data-dir expects a folder, "${file}" is a file`)
    const saved = process.env.AURORA_LOGS_DATA_DIR
    process.env.AURORA_LOGS_DATA_DIR = file
    try {
      const env = await failure(["--duration", "1s", "--quiet"])
      expect((env as UsageError).message).toBe(`demo: AURORA_LOGS_DATA_DIR expects a folder, "${file}" is a file`)
    } finally {
      if (saved === undefined) delete process.env.AURORA_LOGS_DATA_DIR
      else process.env.AURORA_LOGS_DATA_DIR = saved
    }
  }, 10_000)
})
