/**
 * The one error type of the log bus boundary.
 */
import { Schema } from "effect"

export class BusUnavailable extends Schema.TaggedClass<BusUnavailable>()("BusUnavailable", { message: Schema.String }) {
  get isRetryable() { return true }
}
/** The bus refused for good (a message over its size limit, an authorisation failure). */
export class BusRejected extends Schema.TaggedClass<BusRejected>()("BusRejected", { message: Schema.String }) {
  get isRetryable() { return false }
}

export class BusError extends Schema.TaggedError<BusError>()("BusError", {
  reason: Schema.Union([BusUnavailable, BusRejected])
}) {
  get isRetryable() { return this.reason.isRetryable }
  override get message() { return `${this.reason._tag}: ${this.reason.message}` }
}
