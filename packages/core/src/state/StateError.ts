/**
 * The one error type of the state store (cursors and leases).
 */
import { Schema } from "effect"

/** Another replica holds the instance now (or a newer fence wrote the cursor): this writer must stop. */
export class LeaseLost extends Schema.TaggedClass<LeaseLost>()("LeaseLost", { instance: Schema.String }) {
  get isRetryable() { return false }
}
export class StoreUnavailable extends Schema.TaggedClass<StoreUnavailable>()("StoreUnavailable", {
  message: Schema.String
}) {
  get isRetryable() { return true }
}

export class StateError extends Schema.TaggedError<StateError>()("StateError", {
  reason: Schema.Union([LeaseLost, StoreUnavailable])
}) {
  get isRetryable() { return this.reason.isRetryable }
  override get message() { return this.reason._tag === "LeaseLost" ? `lease lost for ${this.reason.instance}` : this.reason.message }
}

export const leaseLost = (instance: string) => new StateError({ reason: new LeaseLost({ instance }) })
