/**
 * kafkajs errors seen as the bus's one error type: what retrying cannot fix (a message over the size limit, an
 * authorisation or authentication failure) is `BusRejected`; everything else (a broker down, a leader moving,
 * a timeout) is `BusUnavailable`, which callers retry.
 */
import { BusError, BusRejected, BusUnavailable } from "@aurora-logs/core"

interface KafkaJsLike {
  readonly name?: string
  readonly type?: string
  readonly message?: string
  readonly cause?: unknown
}

const REJECTED_TYPES: ReadonlySet<string> = new Set([
  "MESSAGE_TOO_LARGE",
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD",
  "CORRUPT_MESSAGE",
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
  "SASL_AUTHENTICATION_FAILED",
  "UNSUPPORTED_SASL_MECHANISM",
  "INVALID_REPLICATION_FACTOR",
  "POLICY_VIOLATION",
  "UNSUPPORTED_VERSION"
])

const REJECTED_NAMES: ReadonlySet<string> = new Set(["KafkaJSSASLAuthenticationError", "KafkaJSNotImplemented"])

/** The errors a commit meets while the group rebalances: its partitions' messages will simply be redelivered. */
const REBALANCE_TYPES: ReadonlySet<string> = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "FENCED_INSTANCE_ID",
  "NOT_COORDINATOR_FOR_GROUP",
  "NOT_COORDINATOR",
  "COORDINATOR_NOT_AVAILABLE",
  "COORDINATOR_LOAD_IN_PROGRESS"
])

const rootCause = (error: unknown): KafkaJsLike => {
  let e = error as KafkaJsLike
  for (let depth = 0; depth < 8 && e !== null && typeof e === "object" && e.cause !== undefined && e.cause !== null; depth++) {
    e = e.cause as KafkaJsLike
  }
  return e !== null && typeof e === "object" ? e : { message: String(error) }
}

export const isRebalanceError = (error: unknown): boolean => {
  const e = error as KafkaJsLike
  const root = rootCause(error)
  return REBALANCE_TYPES.has(e?.type ?? "") || REBALANCE_TYPES.has(root.type ?? "") ||
    e?.name === "KafkaJSNonRetriableError" && /rebalanc|generation|member/i.test(e.message ?? "")
}

export const toBusError = (error: unknown, doing: string): BusError => {
  const outer = error as KafkaJsLike
  const root = rootCause(error)
  const message = `${doing}: ${outer?.message ?? String(error)}${root !== outer && root.message ? ` (${root.message})` : ""}`
  const rejected = REJECTED_TYPES.has(root.type ?? "") || REJECTED_TYPES.has(outer?.type ?? "") ||
    REJECTED_NAMES.has(root.name ?? "") || REJECTED_NAMES.has(outer?.name ?? "")
  return new BusError({ reason: rejected ? new BusRejected({ message }) : new BusUnavailable({ message }) })
}
