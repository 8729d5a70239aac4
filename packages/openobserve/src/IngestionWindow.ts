/**
 * OpenObserve discards records older than `ZO_INGEST_ALLOWED_UPTO` (5 h by default) or further ahead than
 * `ZO_INGEST_ALLOWED_IN_FUTURE` (24 h), one by one, inside an HTTP 200. A backfill of days of Aurora logs would lose
 * most of its records that way, so they are found before sending: shipped at the ingest time with the original kept
 * in `original_timestamp` (`ingest-time`), or, when the operator widened the window and said so (`keep`), shipped
 * as they are while inside the configured window and sent to the dead-letter path, with the reason, when outside.
 */
import type { LogRecord, Rejected } from "@aurora-logs/core"
import { Duration } from "effect"
import type { BackfillMode } from "./OpenObserveSettings.ts"

export interface WindowSettings {
  readonly ingestWindow: Duration.Duration
  readonly futureWindow: Duration.Duration
  readonly windowMargin: Duration.Duration
  readonly backfill: BackfillMode
}

/** A record and the document that goes on the wire for it (the record itself unless its timestamp was moved). */
export interface Outgoing {
  readonly record: LogRecord
  readonly doc: Readonly<Record<string, unknown>>
}

export interface WindowVerdict {
  readonly outgoing: Array<Outgoing>
  readonly refused: Array<Rejected>
  /** How many records were moved to the ingest time. */
  readonly moved: number
}

/** Epoch microseconds, whatever unit an integer `_timestamp` was written in (OpenObserve scales them the same way). */
const micros = (value: number): number =>
  value > 1e18 ? Math.trunc(value / 1000) : value > 1e15 ? value : value > 1e12 ? value * 1000 : value > 1e9 ? value * 1_000_000 : value

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString()

export const makeIngestionWindow = (settings: WindowSettings) => {
  const backMicros = Duration.toMillis(settings.ingestWindow) * 1000
  const aheadMicros = Duration.toMillis(settings.futureWindow) * 1000
  const marginMicros = Duration.toMillis(settings.windowMargin) * 1000
  const windowText = `${Duration.format(settings.ingestWindow)} back, ${Duration.format(settings.futureWindow)} ahead`

  /** Sorts `records` at `nowMillis`; records inside the window (or without a numeric `_timestamp`) go out untouched. */
  return (records: ReadonlyArray<LogRecord>, nowMillis: number): WindowVerdict => {
    const nowMicros = nowMillis * 1000
    const oldest = nowMicros - backMicros + marginMicros
    const newest = nowMicros + aheadMicros - marginMicros
    const outgoing: Array<Outgoing> = []
    const refused: Array<Rejected> = []
    let moved = 0
    for (const record of records) {
      const raw = record._timestamp
      const ts = typeof raw === "number" ? micros(raw) : undefined
      if (ts === undefined || (ts >= oldest && ts <= newest)) {
        outgoing.push({ record, doc: record })
      } else if (settings.backfill === "ingest-time") {
        outgoing.push({ record, doc: { ...record, _timestamp: nowMicros, original_timestamp: ts } })
        moved++
      } else {
        refused.push({
          record,
          reason: `outside the ingestion window (${windowText}, OPENOBSERVE_INGEST_WINDOW / OPENOBSERVE_FUTURE_WINDOW): ` +
            `_timestamp ${iso(ts)}; OpenObserve would discard it (OPENOBSERVE_BACKFILL=ingest-time ships it at the ingest time)`
        })
      }
    }
    return { outgoing, refused, moved }
  }
}
