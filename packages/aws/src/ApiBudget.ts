/**
 * The RDS API budget of one process: an adaptive token bucket shared by every call the process makes.
 *
 * RDS publishes no quota for the log API and throttles per account and region, so every call of a process draws
 * on one bucket, and replicas that share an account split the budget by a share setting. The bucket is adaptive:
 * a `Throttling` answer halves the rate at once (at most once per second, so a burst of throttled calls in flight
 * counts as one signal), and the rate then climbs back linearly, taking `recovery` to go from nothing to the full
 * rate, so a throttled account is probed gently instead of hammered.
 */
import { Clock, Config, Context, Duration, Effect, Layer, Ref } from "effect"
import { checkedSetting, durationSetting } from "@aurora-logs/core"

export interface ApiBudgetOptions {
  /** Calls per second this process may make at full rate (already multiplied by its share). */
  readonly callsPerSecond: number
  /** Tokens that can accumulate while idle. */
  readonly burst?: number
  /** Lowest rate a run of throttling can cut to, as a fraction of the full rate. */
  readonly floorFraction?: number
  /** Time to climb from zero back to the full rate after a cut. */
  readonly recovery?: Duration.Input
}

interface BucketState {
  readonly tokens: number
  readonly refilledAt: number
  /** Rate right after the last cut, and when it happened; the current rate grows linearly from there. */
  readonly cutRate: number
  readonly cutAt: number
}

export class ApiBudget extends Context.Service<ApiBudget, {
  /** Waits for a token: every RDS call goes through here first. */
  readonly take: Effect.Effect<void>
  /** The API answered `Throttling`: cut the rate. */
  readonly throttled: Effect.Effect<void>
  /** Calls per second allowed right now. */
  readonly currentRate: Effect.Effect<number>
}>()("aurora-logs/ApiBudget") {
  static readonly make = (options: ApiBudgetOptions) => make(options)

  static readonly layer = (options: ApiBudgetOptions) => Layer.effect(ApiBudget, make(options))

  /**
   * `AURORA_LOGS_RDS_CALLS_PER_SECOND` (default 10) is the budget of the whole account and region;
   * `AURORA_LOGS_RDS_BUDGET_SHARE` (default 1) the fraction this replica may use, e.g. 0.25 for four replicas.
   */
  static readonly layerConfig = Layer.effect(
    ApiBudget,
    Effect.gen(function*() {
      // Checked as settings (exit code 2, the variable named) and in the project's one duration grammar.
      const config = yield* Config.all({
        callsPerSecond: checkedSetting("AURORA_LOGS_RDS_CALLS_PER_SECOND", "a positive number", (raw) => {
          const n = Number(raw)
          return raw !== "" && Number.isFinite(n) && n > 0 ? n : undefined
        }).pipe(Config.withDefault(10)),
        share: checkedSetting("AURORA_LOGS_RDS_BUDGET_SHARE", "a fraction above 0 and at most 1, such as 0.25", (raw) => {
          const n = Number(raw)
          return raw !== "" && n > 0 && n <= 1 ? n : undefined
        }).pipe(Config.withDefault(1)),
        recovery: durationSetting("AURORA_LOGS_RDS_BUDGET_RECOVERY").pipe(Config.withDefault(Duration.minutes(2)))
      })
      return yield* make({ callsPerSecond: config.callsPerSecond * config.share, recovery: config.recovery })
    })
  )

  /** No limit at all (tests that are not about the budget). */
  static readonly layerUnlimited = Layer.succeed(
    ApiBudget,
    ApiBudget.of({ take: Effect.void, throttled: Effect.void, currentRate: Effect.succeed(Number.POSITIVE_INFINITY) })
  )
}

const make = (options: ApiBudgetOptions) =>
  Effect.gen(function*() {
    const full = options.callsPerSecond
    const burst = options.burst ?? Math.max(1, full)
    const floor = full * (options.floorFraction ?? 0.05)
    const recoveryMs = Duration.toMillis(Duration.fromInputUnsafe(options.recovery ?? Duration.minutes(2)))
    const now = yield* Clock.currentTimeMillis
    const state = yield* Ref.make<BucketState>({ tokens: burst, refilledAt: now, cutRate: full, cutAt: now })

    const rateAt = (s: BucketState, at: number) =>
      Math.min(full, s.cutRate + (recoveryMs <= 0 ? full : (full * (at - s.cutAt)) / recoveryMs))

    /** Tokens earned since the last refill, at the rate in force in the middle of that time. */
    const refill = (s: BucketState, at: number): BucketState => {
      const elapsed = Math.max(0, at - s.refilledAt)
      const rate = rateAt(s, s.refilledAt + elapsed / 2)
      return { ...s, tokens: Math.min(burst, s.tokens + (elapsed * rate) / 1000), refilledAt: at }
    }

    const take = Effect.flatMap(Clock.currentTimeMillis, (at) =>
      Ref.modify(state, (s) => {
        // The token is reserved now (the balance may go negative), so waiters are served in arrival order.
        const next = refill(s, at)
        const tokens = next.tokens - 1
        const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / rateAt(next, at))
        return [waitMs, { ...next, tokens }]
      })).pipe(Effect.flatMap((waitMs) => (waitMs > 0 ? Effect.sleep(Duration.millis(waitMs)) : Effect.void)))

    const throttled = Effect.flatMap(Clock.currentTimeMillis, (at) =>
      Ref.update(state, (s) => {
        if (at - s.cutAt < 1000 && s.cutRate < full) return s
        const next = refill(s, at)
        return { ...next, tokens: Math.min(next.tokens, 0), cutRate: Math.max(floor, rateAt(next, at) / 2), cutAt: at }
      }))

    const currentRate = Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.map(Ref.get(state), (s) => rateAt(s, at)))

    return ApiBudget.of({ take, throttled, currentRate })
  })
