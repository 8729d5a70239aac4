/**
 * The ways the OpenObserve stand-in can misbehave on purpose. Faults are queued and each one is spent on one
 * ingestion request, in order; a request that finds the queue empty is served normally.
 */

export type StandInFault =
  /** 503 with `Retry-After`, as OpenObserve answers when its memory circuit breaker trips. */
  | { readonly _tag: "Unavailable"; readonly retryAfterSeconds?: number }
  /** 429 with `Retry-After`, as a proxy in front of OpenObserve may answer. */
  | { readonly _tag: "TooManyRequests"; readonly retryAfterSeconds?: number }
  /** A 5xx answer without processing anything (500 unless told). */
  | { readonly _tag: "ServerError"; readonly status?: number }
  /** A 4xx answer other than 413/429 without processing anything (400 unless told). */
  | { readonly _tag: "ClientError"; readonly status?: number; readonly message?: string }
  /** Processes the request, then answers only after `delayMs` (a client with a shorter timeout loses the answer). */
  | { readonly _tag: "Slow"; readonly delayMs: number }
  /** Destroys the connection before reading the body: nothing is stored. */
  | { readonly _tag: "ResetBeforeProcessing" }
  /** Stores the records, then destroys the connection: the client never learns they were accepted. */
  | { readonly _tag: "ResetAfterProcessing" }

export const StandInFault = {
  unavailable: (retryAfterSeconds?: number): StandInFault =>
    retryAfterSeconds === undefined ? { _tag: "Unavailable" } : { _tag: "Unavailable", retryAfterSeconds },
  tooManyRequests: (retryAfterSeconds?: number): StandInFault =>
    retryAfterSeconds === undefined ? { _tag: "TooManyRequests" } : { _tag: "TooManyRequests", retryAfterSeconds },
  serverError: (status: number = 500): StandInFault => ({ _tag: "ServerError", status }),
  clientError: (status: number = 400, message?: string): StandInFault =>
    message === undefined ? { _tag: "ClientError", status } : { _tag: "ClientError", status, message },
  slow: (delayMs: number): StandInFault => ({ _tag: "Slow", delayMs }),
  resetBeforeProcessing: { _tag: "ResetBeforeProcessing" } as StandInFault,
  resetAfterProcessing: { _tag: "ResetAfterProcessing" } as StandInFault
} as const
