/**
 * A simulated fleet driven by generated steps for the pipeline's property tests: files of random formats on a few
 * instances, written with token-carrying records, rotated the way Aurora rotates each log type.
 */
import type { LogFormat } from "@aurora-logs/parsers"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import type { Instance } from "../../domain/Instance.ts"
import { SimulatedFleet } from "../../rds/SimulatedFleet.ts"
import { syntheticRecord } from "../../testing/SyntheticLogs.ts"
import type { Written } from "./DeliveryCheck.ts"

export interface FileSpec {
  readonly instance: number
  readonly format: LogFormat
}

export interface WriteStep {
  readonly _tag: "write"
  readonly file: number
  readonly records: number
  readonly size: number
  readonly multiline: boolean
}
export interface RotateStep {
  readonly _tag: "rotate"
  readonly file: number
}

const FORMATS: ReadonlyArray<LogFormat> = ["postgres", "mysql-slow", "mysql-general", "mysql-audit", "mysql-error"]

export const fileSpecs = fc.array(fc.record({ instance: fc.integer({ min: 0, max: 2 }), format: fc.constantFrom(...FORMATS) }), { minLength: 1, maxLength: 4 })

export const writeStep: fc.Arbitrary<WriteStep> = fc.record({
  _tag: fc.constant("write" as const),
  file: fc.nat(),
  records: fc.integer({ min: 1, max: 8 }),
  size: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3000 })),
  multiline: fc.boolean()
})
export const rotateStep: fc.Arbitrary<RotateStep> = fc.record({ _tag: fc.constant("rotate" as const), file: fc.nat() })

export interface SinkDownStep {
  readonly _tag: "sinkDown"
  readonly down: boolean
}
export interface WaitStep {
  readonly _tag: "wait"
  readonly ms: number
}
export const sinkDownStep: fc.Arbitrary<SinkDownStep> = fc.record({ _tag: fc.constant("sinkDown" as const), down: fc.boolean() })
export const waitStep: fc.Arbitrary<WaitStep> = fc.record({ _tag: fc.constant("wait" as const), ms: fc.integer({ min: 10, max: 4000 }) })

/** Download, block and carry sizes small enough that records straddle pages, blocks and carries. */
export const sizes = {
  portionBytes: fc.integer({ min: 64, max: 8192 }),
  maxBlockBytes: fc.integer({ min: 256, max: 8192 }),
  carryCap: fc.integer({ min: 128, max: 4096 })
}

/** Scenario steps: mostly writes and waits, with rotations, sink outages and the test's own crash steps. */
export const steps = <C>(crashes: ReadonlyArray<fc.Arbitrary<C>>) =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: writeStep as fc.Arbitrary<WriteStep | RotateStep | SinkDownStep | WaitStep | C> },
      { weight: 1, arbitrary: rotateStep },
      ...crashes.map((arbitrary) => ({ weight: 1, arbitrary })),
      { weight: 1, arbitrary: sinkDownStep },
      { weight: 3, arbitrary: waitStep }
    ),
    { minLength: 1, maxLength: 40 }
  )

const activeName = (format: LogFormat, n: number, rotation: number): string => {
  switch (format) {
    case "postgres": return `error/postgresql.log.2026-11-26-${String(1000 + rotation).slice(-4)}`
    case "mysql-slow": return `slowquery/mysql-slowquery.log`
    case "mysql-general": return `general/mysql-general.log`
    case "mysql-error": return `error/mysql-error-running.log`
    default: return `audit/audit.log.${n}.2026-11-26-09-${String(10 + rotation).slice(-2)}.0`
  }
}

export class ScenarioFleet {
  readonly fleet = new SimulatedFleet()
  readonly instances: Array<Instance>
  readonly written: Array<Written> = []
  private readonly files: Array<FileSpec>
  private readonly rotations: Array<number>
  private token = 0
  /** Simulated time since the scenario began. */
  now = 0
  /** While on, the test's sink fails every batch. */
  readonly sinkDown = { on: false }

  constructor(specs: ReadonlyArray<FileSpec>) {
    // One file per (instance, log type): the same log type twice on an instance would share a file name.
    const seen = new Set<string>()
    this.files = specs.filter((f) => {
      const key = `${f.instance}/${activeName(f.format, 0, 0).replace(/[.\d-]+$/, "")}`
      if (seen.has(key)) return false
      seen.add(key)
      return true
    })
    this.rotations = this.files.map(() => 0)
    this.instances = [0, 1, 2].map((i) => ({
      id: `db-${i}`,
      cluster: "c",
      engine: this.files.some((f) => f.instance === i && f.format === "postgres") ? "postgres" : "mysql",
      role: "writer",
      region: "r",
      tags: {}
    }))
    for (const f of this.files) this.fleet.addInstance(this.instances[f.instance])
  }

  /** Carries out every step but the test's own crashes. */
  run(step: WriteStep | RotateStep | SinkDownStep | WaitStep): Effect.Effect<void> {
    switch (step._tag) {
      case "write":
        return Effect.sync(() => this.write(step))
      case "rotate":
        return Effect.sync(() => this.rotate(step))
      case "sinkDown":
        return Effect.sync(() => (this.sinkDown.on = step.down))
      case "wait":
        return this.advance(step.ms)
    }
  }

  advance(ms: number): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.now += ms
      return TestClock.adjust(ms)
    })
  }

  private write(step: WriteStep): void {
    const now = this.now
    const k = step.file % this.files.length
    const f = this.files[k]
    let text = ""
    for (let i = 0; i < step.records; i++) {
      const token = `tok_${k}_${this.token++}`
      this.written.push({ token, stream: k })
      text += syntheticRecord(f.format, token, 1_764_150_000_000 + now, i === 0 ? step.size : 0, step.multiline)
    }
    this.fleet.append(this.instances[f.instance].id, activeName(f.format, f.instance, this.rotations[k]), text, now)
  }

  private rotate(step: RotateStep): void {
    const now = this.now
    const k = step.file % this.files.length
    const f = this.files[k]
    const name = activeName(f.format, f.instance, this.rotations[k])
    if (f.format === "postgres" || f.format === "mysql-audit") this.rotations[k]++
    else this.fleet.rotateByRename(this.instances[f.instance].id, name, `${name}.2026-11-26.${String(this.rotations[k]++).padStart(2, "0")}`, now)
  }
}

/**
 * The end of every scenario: the sink comes back, two simulated minutes pass so that everything written can be
 * shipped, and the processes stop; none of them may have failed.
 */
export const settle = (fibers: ReadonlyArray<Fiber.Fiber<unknown, unknown>>, sinkDown: { on: boolean }) =>
  Effect.gen(function*() {
    sinkDown.on = false
    for (let i = 0; i < 120; i++) yield* TestClock.adjust(1000)
    for (const fiber of fibers) {
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      if (!Exit.hasInterrupts(exit) && !Exit.isSuccess(exit)) return yield* Effect.die(new Error(`a process failed: ${String(exit)}`))
    }
  })
