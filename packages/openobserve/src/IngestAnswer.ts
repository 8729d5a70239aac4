/**
 * What an OpenObserve answer means for the records of the request: all accepted, some refused (which ones, and
 * why), refused without saying which, too large, refused as a whole, or to be sent again (and whether the failure
 * says the server is unwell, for the circuit breaker). OpenObserve reports per-record failures inside an HTTP 200,
 * so the body is always read.
 */
import { Predicate } from "effect"
import type { EncodedRequest } from "./RequestBody.ts"
import type { IngestEndpoint } from "./OpenObserveSettings.ts"

export interface RecordFailure {
  /** Position in the request's `outgoing`. */
  readonly index: number
  readonly reason: string
}

export type IngestVerdict =
  | { readonly _tag: "Accepted"; readonly warning?: string }
  | { readonly _tag: "SomeFailed"; readonly failures: ReadonlyArray<RecordFailure> }
  /** `failed` records failed but the answer does not say which (`_json` / `_multi` only report counts). */
  | { readonly _tag: "Unattributed"; readonly failed: number; readonly reason: string }
  | { readonly _tag: "TooLarge"; readonly message: string }
  /** Refused as a whole and for good: its records go to the dead-letter path. */
  | { readonly _tag: "Refused"; readonly status: number; readonly message: string }
  | {
    readonly _tag: "Retry"
    readonly message: string
    /** What the server asked us to wait, when it said (`Retry-After`). */
    readonly retryAfterMs: number | undefined
    /** The server is overloaded or down (counts toward opening the circuit); false for a 429 from a healthy server. */
    readonly unhealthy: boolean
  }

const EXCERPT = 300

const excerpt = (body: string): string => {
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed === "object" && parsed !== null) {
      const message = (parsed as Record<string, unknown>)["message"] ?? (parsed as Record<string, unknown>)["error"]
      if (typeof message === "string" && message !== "") return message.slice(0, EXCERPT)
    }
  } catch {
    // not JSON: the raw text says more than nothing
  }
  const text = body.trim()
  return text.length > EXCERPT ? `${text.slice(0, EXCERPT)}...` : text
}

/** `Retry-After` in milliseconds from `nowMillis`: delay-seconds or an HTTP-date; undefined when absent or unreadable. */
export const retryAfterMillis = (header: string | undefined, nowMillis: number): number | undefined => {
  if (header === undefined || header.trim() === "") return undefined
  const text = header.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis)
}

const isObject = Predicate.isObject

/** The per-stream counts of `{"code":200,"status":[{"name","successful","failed","error"}]}`. */
const readCounts = (parsed: Record<string, unknown>, request: EncodedRequest): IngestVerdict => {
  const code = parsed["code"]
  if (typeof code === "number" && code >= 500) {
    return { _tag: "Retry", message: `OpenObserve answered code ${code}: ${String(parsed["error"] ?? parsed["message"] ?? "")}`, retryAfterMs: undefined, unhealthy: true }
  }
  const statuses = parsed["status"]
  if (!Array.isArray(statuses)) return { _tag: "Accepted", warning: "answer without per-stream status" }
  let failed = 0
  const errors: Array<string> = []
  for (const s of statuses) {
    if (!isObject(s)) continue
    const n = typeof s["failed"] === "number" ? s["failed"] : 0
    failed += n
    if (n > 0 && typeof s["error"] === "string" && s["error"] !== "") errors.push(s["error"])
  }
  if (failed === 0) return { _tag: "Accepted" }
  const reason = errors.length === 0 ? "refused by OpenObserve (no reason given)" : errors.join("; ")
  const total = request.outgoing.length
  if (failed >= total) return { _tag: "SomeFailed", failures: request.outgoing.map((_, index) => ({ index, reason })) }
  return { _tag: "Unattributed", failed, reason }
}

/**
 * Elasticsearch-style bulk items. A failed item is matched to its record by `_id` (the sink sends `record_id`), by
 * `originalRecord.record_id`, or by position when the answer lists every item.
 */
const readBulkItems = (items: ReadonlyArray<unknown>, request: EncodedRequest): IngestVerdict => {
  let byId: Map<string, number> | undefined
  const indexOf = (id: unknown): number | undefined => {
    if (typeof id !== "string" || id === "") return undefined
    if (byId === undefined) {
      byId = new Map()
      request.outgoing.forEach((o, i) => byId!.set(o.record.record_id, i))
    }
    return byId.get(id)
  }
  const failures: Array<RecordFailure> = []
  let unattributed = 0
  let lastReason = ""
  const complete = items.length === request.outgoing.length
  for (let position = 0; position < items.length; position++) {
    const item = items[position]
    if (!isObject(item)) continue
    const result = Object.values(item)[0]
    if (!isObject(result)) continue
    const status = typeof result["status"] === "number" ? result["status"] : 200
    if (status < 300 && result["error"] === undefined) continue
    const error = result["error"]
    const reason = isObject(error)
      ? `${String(error["type"] ?? "error")}: ${String(error["reason"] ?? "")}`
      : `status ${status}${typeof error === "string" ? `: ${error}` : ""}`
    const original = result["originalRecord"]
    const index = indexOf(result["_id"]) ?? (isObject(original) ? indexOf(original["record_id"]) : undefined) ??
      (complete ? position : undefined)
    if (index === undefined) {
      unattributed++
      lastReason = reason
    } else failures.push({ index, reason })
  }
  if (unattributed > 0) return { _tag: "Unattributed", failed: unattributed + failures.length, reason: lastReason }
  return failures.length === 0 ? { _tag: "Accepted" } : { _tag: "SomeFailed", failures }
}

/**
 * The head of a bulk answer, before its items, that says no item failed: `{"took":3,"errors":false,"items":[`.
 * OpenObserve sets `errors` whenever it adds a failed item, so such an answer needs no item read (a full request's
 * answer lists every record: about a megabyte to parse for nothing).
 */
const NO_ERRORS_HEAD = /^\s*\{[^{}[\]]*"errors"\s*:\s*false\s*,\s*$/

/** Enough of a bulk answer to hold its head: the sink decodes no more of an answer that says no item failed. */
export const BULK_HEAD_BYTES = 512

/** Whether `body` (a whole bulk answer, or its first bytes) begins with a head that says no item failed. */
export const bulkAnswerWithoutErrors = (body: string): boolean => {
  const items = body.indexOf('"items"')
  return items > 0 && NO_ERRORS_HEAD.test(body.slice(0, items))
}

const readOk = (endpoint: IngestEndpoint, body: string, request: EncodedRequest): IngestVerdict => {
  if (endpoint === "bulk" && bulkAnswerWithoutErrors(body)) return { _tag: "Accepted" }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { _tag: "Accepted", warning: `unreadable 2xx answer: ${excerpt(body)}` }
  }
  if (!isObject(parsed)) return { _tag: "Accepted", warning: `unexpected 2xx answer: ${excerpt(body)}` }
  if (endpoint === "bulk" && Array.isArray(parsed["items"])) {
    const verdict = readBulkItems(parsed["items"], request)
    return verdict._tag === "Accepted" && parsed["errors"] === true
      ? { _tag: "Accepted", warning: "bulk answer says errors but lists no failed item" }
      : verdict
  }
  return readCounts(parsed, request)
}

/** Reads one answer to `request`. */
export const readIngestAnswer = (
  endpoint: IngestEndpoint,
  request: EncodedRequest,
  status: number,
  retryAfter: string | undefined,
  body: string,
  nowMillis: number
): IngestVerdict => {
  if (status >= 200 && status < 300) return readOk(endpoint, body, request)
  const message = `OpenObserve answered ${status}: ${excerpt(body)}`
  const wait = retryAfterMillis(retryAfter, nowMillis)
  if (status === 413) return { _tag: "TooLarge", message }
  if (status === 429) return { _tag: "Retry", message, retryAfterMs: wait, unhealthy: false }
  // Wrong credentials are a setting to fix, not a property of the batch: wait for the fix instead of
  // dead-lettering every record shipped meanwhile.
  if (status === 401 || status === 403) {
    return { _tag: "Retry", message: `${message} (check OPENOBSERVE_USER / OPENOBSERVE_PASSWORD / OPENOBSERVE_TOKEN)`, retryAfterMs: wait, unhealthy: true }
  }
  // Older OpenObserve versions answered 400 when their memtable was full.
  if (status === 400 && /MemoryTableOverflow|memtable/i.test(body)) return { _tag: "Retry", message, retryAfterMs: wait, unhealthy: true }
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
    return { _tag: "Retry", message, retryAfterMs: wait, unhealthy: true }
  }
  return { _tag: "Refused", status, message }
}

const utf8 = new TextDecoder()

/**
 * readIngestAnswer of an answer as it came, in bytes: a bulk answer whose head says no item failed is decoded no
 * further (a full request's answer lists every record, about a megabyte); any other is decoded and read whole.
 */
export const readIngestAnswerBytes = (
  endpoint: IngestEndpoint,
  request: EncodedRequest,
  status: number,
  retryAfter: string | undefined,
  body: Uint8Array,
  nowMillis: number
): IngestVerdict =>
  endpoint === "bulk" && status >= 200 && status < 300 && bulkAnswerWithoutErrors(utf8.decode(body.subarray(0, BULK_HEAD_BYTES)))
    ? { _tag: "Accepted" }
    : readIngestAnswer(endpoint, request, status, retryAfter, utf8.decode(body), nowMillis)
