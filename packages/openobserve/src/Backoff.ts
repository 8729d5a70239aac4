/**
 * How long to wait before sending a request again: what the server asked for (`Retry-After`), or a capped
 * exponential backoff with jitter, so that many processors recovering at once do not knock the server over again.
 */
import { Duration } from "effect"

/** A `Retry-After` longer than this is read as a misconfigured proxy, not as a plan. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000

export interface BackoffSettings {
  readonly retryInitialDelay: Duration.Duration
  readonly retryMaxDelay: Duration.Duration
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1 for the first), given a uniform `random` in [0, 1).
 * Without `Retry-After`: between half and all of `min(max, initial * 2^(attempt - 1))` ("equal jitter": never zero,
 * never in lock-step). With it: what was asked, plus up to 10 % so that waiting clients do not return together.
 */
export const backoffMillis = (
  settings: BackoffSettings,
  attempt: number,
  random: number,
  retryAfterMs: number | undefined
): number => {
  if (retryAfterMs !== undefined) {
    const asked = Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
    return Math.round(asked + asked * 0.1 * random)
  }
  const initial = Duration.toMillis(settings.retryInitialDelay)
  const ceiling = Math.min(Duration.toMillis(settings.retryMaxDelay), initial * 2 ** Math.min(attempt - 1, 30))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}
