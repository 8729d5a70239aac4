/**
 * The sink's guarantee over random fault sequences: whatever OpenObserve does, every record sent ends up accepted
 * by the stand-in or in the dead-letter path (never lost), and a record is stored twice (or stored and
 * dead-lettered) only when it was in a request whose answer was lost.
 */
import { type DeadLetter, LogSink, type LogRecord } from "@aurora-logs/core"
import { OpenObserveStandIn } from "@aurora-logs/testkit/openobserve/OpenObserveStandIn"
import { sampleRecord } from "@aurora-logs/testkit/openobserve/SampleRecords"
import { StandInFault } from "@aurora-logs/testkit/openobserve/StandInFault"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, References } from "effect"
import * as fc from "fast-check"
import { type IngestEndpoint, makeSettings } from "./OpenObserveSettings.ts"
import * as OpenObserveSink from "./OpenObserveSink.ts"

/**
 * Far above a normal answer's latency (a few ms, more on a loaded machine), so that only the slow fault makes the
 * client give up: an ordinary answer arriving just as the client gives up would be a lost answer the stand-in cannot see.
 */
const REQUEST_TIMEOUT_MS = 500

const faultArb: fc.Arbitrary<StandInFault> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(500, 502, 503, 504).map((status) => StandInFault.serverError(status)) },
  { weight: 2, arbitrary: fc.constant(StandInFault.unavailable(0)) },
  { weight: 2, arbitrary: fc.constant(StandInFault.tooManyRequests(0)) },
  { weight: 2, arbitrary: fc.constant(StandInFault.resetBeforeProcessing) },
  { weight: 2, arbitrary: fc.constant(StandInFault.resetAfterProcessing) },
  { weight: 1, arbitrary: fc.constant(StandInFault.clientError(400, "Bad Request")) }
)

const scenarioArb = fc.record({
  endpoint: fc.constantFrom<IngestEndpoint>("bulk", "bulk", "multi", "json"),
  batches: fc.array(fc.array(fc.nat({ max: 2500 }), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 3 }),
  faults: fc.array(faultArb, { maxLength: 14 }),
  /** Where one answer later than the client's timeout goes in the fault sequence, in some scenarios (each costs the timeout). */
  slowAt: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.nat({ max: 14 }) }),
  maxRequestRecords: fc.integer({ min: 3, max: 30 }),
  maxRequestBytes: fc.integer({ min: 2_000, max: 40_000 }),
  maxBodyBytes: fc.option(fc.integer({ min: 3_000, max: 20_000 }), { nil: undefined }),
  permanent: fc.array(fc.nat({ max: 200 }), { maxLength: 4 }),
  transient: fc.array(fc.nat({ max: 200 }), { maxLength: 4 })
})

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never

const run = (scenario: Scenario) =>
  Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    const sink = yield* LogSink
    const now = Date.now() * 1000
    let n = 0
    const batches: Array<Array<LogRecord>> = scenario.batches.map((paddings) =>
      paddings.map((padding) => ({ ...sampleRecord(n++, now, "p"), message: "x".repeat(padding) }))
    )
    const sent = batches.flat()
    // Only the bulk endpoint says which record failed; the others make the sink re-send each record alone,
    // which stores some records twice by design (tested on its own), so per-record refusals are for bulk here.
    const perRecord = scenario.endpoint === "bulk"
    const permanent = new Set(perRecord ? scenario.permanent.filter((i) => i < sent.length).map((i) => sent[i]!.record_id) : [])
    const transient = new Set(perRecord ? scenario.transient.filter((i) => i < sent.length).map((i) => sent[i]!.record_id) : [])
    yield* standIn.setRecordRejector((record) => {
      const id = String(record["record_id"])
      if (permanent.has(id)) return "permanently refused"
      return transient.delete(id) ? "refused once" : undefined
    })
    if (scenario.maxBodyBytes !== undefined) yield* standIn.setMaxBodyBytes(scenario.maxBodyBytes)
    const faults = scenario.faults.slice()
    if (scenario.slowAt !== undefined) faults.splice(scenario.slowAt, 0, StandInFault.slow(REQUEST_TIMEOUT_MS + 80))
    yield* standIn.inject(...faults)

    // What the processor does with each batch: ship it, dead-letter what comes back refused.
    const deadLetters: Array<DeadLetter> = []
    for (const batch of batches) {
      const result = yield* sink.ship(batch)
      for (const r of result.rejected) deadLetters.push({ reason: r.reason, record: r.record, at: Date.now() })
    }

    // Late answers (slow faults) are still being written: wait for the stand-in to finish, with a deadline.
    const deadline = Date.now() + 5000
    while ((yield* standIn.inFlight) > 0) {
      assert.isBelow(Date.now(), deadline, "the stand-in finished its requests")
      yield* Effect.sleep(Duration.millis(5))
    }

    const accepted = new Map<string, number>()
    for (const r of yield* standIn.accepted()) {
      const id = String(r.record["record_id"])
      accepted.set(id, (accepted.get(id) ?? 0) + 1)
    }
    const dead = new Map<string, number>()
    for (const letter of deadLetters) {
      assert.isTrue(letter.reason.length > 0, "a dead letter says why")
      dead.set(letter.record!.record_id, (dead.get(letter.record!.record_id) ?? 0) + 1)
    }
    const lostAnswer = new Set((yield* standIn.requests).filter((r) => !r.answered).flatMap((r) => r.storedIds))
    const sentIds = new Set(sent.map((r) => r.record_id))

    for (const id of sentIds) {
      const times = (accepted.get(id) ?? 0) + (dead.get(id) ?? 0)
      assert.isAtLeast(times, 1, `${id} was neither accepted nor dead-lettered`)
      if (times > 1) assert.isTrue(lostAnswer.has(id), `${id} ended up ${times} times without a lost answer`)
    }
    for (const id of [...accepted.keys(), ...dead.keys()]) assert.isTrue(sentIds.has(id), `${id} was never sent`)
    for (const id of permanent) assert.isFalse(accepted.has(id), `${id} is refused by OpenObserve, yet stored`)
  })

describe("OpenObserveSink under random fault sequences", () => {
  it("accepted + dead-lettered = sent, and a record is stored twice only when an answer was lost", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, (scenario) =>
        Effect.runPromise(Effect.scoped(run(scenario).pipe(Effect.provide(rig(scenario.endpoint)))))),
      { numRuns: 60 }
    )
  }, 120_000)
})

const rig = (endpoint: IngestEndpoint) =>
  Layer.unwrap(Effect.gen(function*() {
    const standIn = yield* OpenObserveStandIn
    return OpenObserveSink.layer(makeSettings(
      { url: standIn.url, credentials: { _tag: "Basic", user: standIn.user, password: Redacted.make(standIn.password) } },
      {
        endpoint,
        retryInitialDelay: Duration.millis(1),
        retryMaxDelay: Duration.millis(8),
        breakerThreshold: 4,
        breakerOpen: Duration.millis(5),
        breakerMaxOpen: Duration.millis(20),
        requestTimeout: Duration.millis(REQUEST_TIMEOUT_MS),
        concurrency: 3
      }
    ))
  })).pipe(
    Layer.provideMerge(OpenObserveStandIn.layer({ retryAfterSeconds: 0 })),
    Layer.merge(Layer.succeed(References.MinimumLogLevel, "None"))
  )
