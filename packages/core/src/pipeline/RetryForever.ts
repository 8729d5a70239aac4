/**
 * Retry that never gives up on a retryable failure: losing data is not an option, so the pipeline waits with
 * capped, jittered exponential backoff (or as long as the other side asked) and its reads slow down meanwhile.
 */
import { Effect } from "effect"
import type { PipelineStats } from "./PipelineStats.ts"

export interface Backoff {
  readonly initialMs: number
  readonly maxMs: number
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000 }

export const backoffDelay = (attempt: number, backoff: Backoff, random: number): number => {
  const capped = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(attempt, 30))
  return Math.round(capped / 2 + (capped / 2) * random)
}

export const retryWhileRetryable = <A, E extends { readonly isRetryable: boolean }, R>(
  effect: Effect.Effect<A, E, R>,
  options: {
    readonly backoff?: Backoff
    readonly onRetry?: (error: E, attempt: number, delayMs: number) => Effect.Effect<void>
    readonly waitHint?: (error: E) => number | undefined
  } = {}
): Effect.Effect<A, E, R> => {
  const backoff = options.backoff ?? DEFAULT_BACKOFF
  const loop = (attempt: number): Effect.Effect<A, E, R> =>
    Effect.catch(effect, (error) => {
      if (!error.isRetryable) return Effect.fail(error)
      const hinted = options.waitHint?.(error)
      const delay = hinted ?? backoffDelay(attempt, backoff, Math.random())
      return Effect.andThen(
        options.onRetry === undefined ? Effect.void : options.onRetry(error, attempt, delay),
        Effect.andThen(Effect.sleep(delay), Effect.suspend(() => loop(attempt + 1)))
      )
    })
  return loop(0)
}

/**
 * An onRetry that says what the retry waits for: in `stats.waitingFor`, which readiness reports (the caller clears it
 * once the work goes through), and as a warning on the first attempt and every `logEvery`-th after it, so that an
 * outage shows in the log without flooding it.
 */
export const reportWaits = (stats: PipelineStats, logEvery = 1) =>
  (error: { readonly message: string }, attempt: number, delayMs: number): Effect.Effect<void> =>
    Effect.suspend(() => {
      stats.waitingFor = error.message
      return attempt % logEvery === 0 ? Effect.logWarning(`${error.message}; retrying in ${delayMs} ms (attempt ${attempt + 1})`) : Effect.void
    })
