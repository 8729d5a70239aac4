/**
 * The rules OpenObserve applies to each record it ingests, as the stand-in applies them: how `_timestamp` is read
 * (auto-scaled integers, RFC 3339 strings), the ingestion window (`ZO_INGEST_ALLOWED_UPTO`,
 * `ZO_INGEST_ALLOWED_IN_FUTURE`), and how stream names are formatted. The error texts are OpenObserve's own, so a
 * client that reacts to them reacts the same way to the real server.
 */

const HOUR_MICROS = 3_600_000_000

/** OpenObserve turns characters outside [a-zA-Z0-9_:] into `_` and lowercases stream names. */
export const formatStreamName = (name: string): string => name.replace(/[^a-zA-Z0-9_:]/g, "_").toLowerCase()

/** Integers are scaled by magnitude (ns, µs, ms, s), as OpenObserve's `parse_i64_to_timestamp_micros` does. */
const scaleToMicros = (n: number): number | string => {
  if (n === 0) return 0
  if (n > 1e18) return Math.trunc(n / 1000)
  if (n > 1e15) return n
  if (n > 1e12) return n * 1000
  if (n > 1e9) return n * 1_000_000
  return "Invalid time format [timestamp:value]"
}

/** `2024-01-01T12:00:00.123456Z`, `2024-01-01 12:00:00` (UTC), `...+02:00`: the forms OpenObserve reads as RFC 3339. */
const ISO_8601 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/
/** `Mon, 24 Nov 2025 16:00:00 +0000`. */
const RFC_2822 = /^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} ([+-]\d{4}|GMT|UT|Z)$/

/** Epoch microseconds of a `_timestamp` value, or OpenObserve's error text when it cannot read it. */
export const timestampMicros = (value: unknown): number | string => {
  if (typeof value === "number") return Number.isFinite(value) ? scaleToMicros(Math.trunc(value)) : "Invalid time format [timestamp]"
  if (typeof value === "string") {
    if (/^-?\d+$/.test(value)) return scaleToMicros(Number(value))
    const iso = ISO_8601.exec(value)
    const ms = iso !== null
      ? Date.parse(`${iso[1]}T${iso[2]}${iso[3] ?? ""}${iso[4] ?? "Z"}`)
      : RFC_2822.test(value) ? Date.parse(value) : Number.NaN
    if (Number.isNaN(ms)) return "invalid time format [string]"
    return ms * 1000 + (iso?.[3] === undefined ? 0 : Number(iso[3].slice(1).padEnd(6, "0").slice(3, 6)))
  }
  return "Invalid time format [type]"
}

export const tooOldError = (windowHours: number): string =>
  `Too old data, only last ${windowHours} hours data can be ingested. Data discarded. You can adjust ingestion max time by setting the environment variable ZO_INGEST_ALLOWED_UPTO=<max_hours>`

export const tooFarError = (futureHours: number): string =>
  `Too far data, only future ${futureHours} hours data can be ingested. Data discarded. You can adjust ingestion max time by setting the environment variable ZO_INGEST_ALLOWED_IN_FUTURE=<max_hours>`

export interface IngestWindow {
  /** `ZO_INGEST_ALLOWED_UPTO`, hours. */
  readonly allowedUptoHours: number
  /** `ZO_INGEST_ALLOWED_IN_FUTURE`, hours. */
  readonly allowedInFutureHours: number
}

/**
 * Checks one record's timestamp against the window at `nowMicros`: the `_timestamp` to store (the ingest time when
 * the record has none), or the error OpenObserve answers for it.
 */
export const admitTimestamp = (
  record: Readonly<Record<string, unknown>>,
  nowMicros: number,
  window: IngestWindow
): { readonly ok: true; readonly micros: number } | { readonly ok: false; readonly error: string } => {
  const raw = record["_timestamp"] ?? record["@timestamp"]
  if (raw === undefined) return { ok: true, micros: nowMicros }
  const micros = timestampMicros(raw)
  if (typeof micros === "string") return { ok: false, error: micros }
  if (micros < nowMicros - window.allowedUptoHours * HOUR_MICROS) return { ok: false, error: tooOldError(window.allowedUptoHours) }
  if (micros > nowMicros + window.allowedInFutureHours * HOUR_MICROS) {
    return { ok: false, error: tooFarError(window.allowedInFutureHours) }
  }
  return { ok: true, micros }
}
