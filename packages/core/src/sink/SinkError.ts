/**
 * The one error type of the sink boundary. A retryable reason means the batch may be sent again as it is.
 */
import { Schema } from "effect"

export class SinkUnavailable extends Schema.TaggedClass<SinkUnavailable>()("SinkUnavailable", {
  message: Schema.String,
  /** Milliseconds the sink asked us to wait (Retry-After), when it said. */
  retryAfterMs: Schema.optionalKey(Schema.Number)
}) {
  get isRetryable() { return true }
}
/** The sink refused the batch for good; its records go to the dead-letter path. */
export class SinkRejected extends Schema.TaggedClass<SinkRejected>()("SinkRejected", {
  status: Schema.Number,
  message: Schema.String
}) {
  get isRetryable() { return false }
}

export class SinkError extends Schema.TaggedError<SinkError>()("SinkError", {
  reason: Schema.Union([SinkUnavailable, SinkRejected])
}) {
  get isRetryable() { return this.reason.isRetryable }
  override get message() { return `${this.reason._tag}: ${this.reason.message}` }
}
