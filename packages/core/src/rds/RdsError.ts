/**
 * The one error type of the RDS boundary. Its `reason` says what went wrong and whether trying again can help.
 */
import { Schema } from "effect"

export class Throttled extends Schema.TaggedClass<Throttled>()("Throttled", { operation: Schema.String }) {
  get isRetryable() { return true }
}
export class InstanceNotReady extends Schema.TaggedClass<InstanceNotReady>()("InstanceNotReady", {
  instance: Schema.String
}) {
  get isRetryable() { return true }
}
/** The file is not (or no longer) listed: expired, or transiently missing during rotation. */
export class FileNotFound extends Schema.TaggedClass<FileNotFound>()("FileNotFound", {
  instance: Schema.String,
  file: Schema.String
}) {
  get isRetryable() { return false }
}
export class InstanceNotFound extends Schema.TaggedClass<InstanceNotFound>()("InstanceNotFound", {
  instance: Schema.String
}) {
  get isRetryable() { return false }
}
/** Network failure, 5xx, or an answer that could not be read. */
export class RdsUnavailable extends Schema.TaggedClass<RdsUnavailable>()("RdsUnavailable", {
  message: Schema.String
}) {
  get isRetryable() { return true }
}
/** The API refused the request for good (permissions, invalid parameter). */
export class RdsRejected extends Schema.TaggedClass<RdsRejected>()("RdsRejected", {
  code: Schema.String,
  message: Schema.String
}) {
  get isRetryable() { return false }
}

export class RdsError extends Schema.TaggedError<RdsError>()("RdsError", {
  reason: Schema.Union([Throttled, InstanceNotReady, FileNotFound, InstanceNotFound, RdsUnavailable, RdsRejected])
}) {
  get isRetryable() { return this.reason.isRetryable }
  // Read by operators in logs and on /readyz: the reason and its fields as text, not the reason as JSON.
  override get message() {
    const { _tag, ...fields } = this.reason
    return [_tag, ...Object.values(fields).map(String)].join(": ")
  }
}
