/**
 * Stops hammering an OpenObserve that is down. After `threshold` consecutive failed requests the circuit opens:
 * nothing is sent for the open period (doubled at each reopening, capped); then one probe request goes, and its
 * outcome closes the circuit or opens it again. Callers wait in `admit` meanwhile, which is what slows the pipeline's
 * reads (back-pressure) instead of piling records up in memory.
 */
import { Clock, Duration, Effect, Ref } from "effect"

export type CircuitState =
  | { readonly _tag: "Closed"; readonly failures: number }
  | { readonly _tag: "Open"; readonly until: number; readonly openings: number }
  | { readonly _tag: "HalfOpen"; readonly openings: number; readonly probing: boolean }

export interface CircuitBreakerSettings {
  readonly breakerThreshold: number
  readonly breakerOpen: Duration.Duration
  readonly breakerMaxOpen: Duration.Duration
}

export interface CircuitBreaker {
  /** Returns when a request may go: at once while closed, after the open period, one probe at a time when half-open. */
  readonly admit: Effect.Effect<void>
  /** The server answered normally. */
  readonly success: Effect.Effect<void>
  /** The server is down or overloaded (5xx, 503, timeout, connection failure). */
  readonly failure: Effect.Effect<void>
  /** The server answered, but the answer says nothing about its health (429): a probe slot is freed. */
  readonly neutral: Effect.Effect<void>
  readonly state: Effect.Effect<CircuitState>
}

/** How often a caller waiting on a half-open circuit checks whether the probe has finished. */
const PROBE_POLL_MS = 25

export const makeCircuitBreaker = (settings: CircuitBreakerSettings): Effect.Effect<CircuitBreaker> =>
  Effect.gen(function*() {
    const ref = yield* Ref.make<CircuitState>({ _tag: "Closed", failures: 0 })
    const openMs = Duration.toMillis(settings.breakerOpen)
    const maxOpenMs = Math.max(openMs, Duration.toMillis(settings.breakerMaxOpen))
    const openFor = (openings: number) => Math.min(maxOpenMs, openMs * 2 ** Math.min(openings - 1, 30))

    const admit = Effect.gen(function*() {
      while (true) {
        const now = yield* Clock.currentTimeMillis
        const wait = yield* Ref.modify(ref, (s): [number, CircuitState] => {
          switch (s._tag) {
            case "Closed":
              return [0, s]
            case "Open":
              return now >= s.until ? [0, { _tag: "HalfOpen", openings: s.openings, probing: true }] : [s.until - now, s]
            case "HalfOpen":
              return s.probing ? [PROBE_POLL_MS, s] : [0, { ...s, probing: true }]
          }
        })
        if (wait === 0) return
        yield* Effect.sleep(Duration.millis(wait))
      }
    })

    const success = Effect.flatMap(
      Ref.getAndSet(ref, { _tag: "Closed", failures: 0 }),
      (before) => before._tag === "Closed" ? Effect.void : Effect.logInfo("OpenObserve answers again: circuit closed")
    )

    const failure = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const opened = yield* Ref.modify(ref, (s): [number | undefined, CircuitState] => {
        switch (s._tag) {
          case "Closed":
            return s.failures + 1 >= settings.breakerThreshold
              ? [openFor(1), { _tag: "Open", until: now + openFor(1), openings: 1 }]
              : [undefined, { _tag: "Closed", failures: s.failures + 1 }]
          case "HalfOpen": {
            const openings = s.openings + 1
            return [openFor(openings), { _tag: "Open", until: now + openFor(openings), openings }]
          }
          case "Open":
            // A request admitted before the circuit opened: the circuit already knows.
            return [undefined, s]
        }
      })
      if (opened !== undefined) {
        yield* Effect.logWarning("OpenObserve is failing: circuit open, no request for a while", { open_ms: opened })
      }
    })

    const neutral = Ref.update(ref, (s): CircuitState => s._tag === "HalfOpen" ? { ...s, probing: false } : s)

    return { admit, success, failure, neutral, state: Ref.get(ref) }
  })
