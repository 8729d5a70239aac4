/**
 * The delivery guarantees as assertions over what was written and what the sink accepted: every token shipped,
 * in order per stream of writes, never under two record ids, and duplicates only among records in flight at a crash.
 */
import type { Cursor } from "../../domain/Cursor.ts"
import { publishedUpTo } from "../../domain/Cursor.ts"
import { fileKey } from "../../domain/LogFile.ts"
import type { LogRecord } from "../../domain/LogRecord.ts"

export interface Written {
  readonly token: string
  /** Which series of files the record was written to. */
  readonly stream: number
}

/**
 * Byte ranges of files that were in flight at some crash: a record starting inside one may have been shipped twice.
 */
export class InFlightWindows {
  private readonly windows = new Map<string, Array<readonly [number, number]>>()
  add(key: string, from: number, to: number = Number.POSITIVE_INFINITY): void {
    let list = this.windows.get(key)
    if (list === undefined) this.windows.set(key, (list = []))
    list.push([from, to])
  }
  /** Everything after each stored cursor: what a restarted discovery will publish again. */
  addAfterCursors(committed: ReadonlyArray<Cursor>): void {
    for (const c of committed) this.add(fileKey(c), publishedUpTo(c))
  }
  covers(record: LogRecord): boolean {
    const list = this.windows.get(fileKey({ instance: record.instance, file: record.file, generation: record.generation }))
    return list !== undefined && list.some(([from, to]) => record.offset >= from && record.offset < to)
  }
}

export const checkDelivery = (
  written: ReadonlyArray<Written>,
  shipped: ReadonlyArray<LogRecord>,
  inFlight: InFlightWindows,
  tokensOf: (record: LogRecord) => ReadonlyArray<string>
): void => {

  const idOfToken = new Map<string, string>()
  const firstSeen = new Map<string, number>()
  const copies = new Map<string, number>()
  shipped.forEach((record, index) => {
    copies.set(record.record_id, (copies.get(record.record_id) ?? 0) + 1)
    for (const token of tokensOf(record)) {
      const id = idOfToken.get(token)
      if (id !== undefined && id !== record.record_id) {
        throw new Error(`token ${token} shipped under two record ids: ${id} and ${record.record_id}`)
      }
      idOfToken.set(token, record.record_id)
      if (!firstSeen.has(token)) firstSeen.set(token, index)
    }
  })
  const missing = written.filter((w) => !idOfToken.has(w.token))
  if (missing.length > 0) throw new Error(`${missing.length} of ${written.length} records never shipped, e.g. ${missing.slice(0, 3).map((m) => m.token).join(", ")}`)
  for (const r of shipped) {
    const n = copies.get(r.record_id)!
    if (n > 1 && !inFlight.covers(r)) throw new Error(`record ${r.record_id} shipped ${n} times but was not in flight at any crash`)
  }
  // Order per file: tokens that landed in the same file generation ship in the order they were written.
  const recordOf = new Map<string, LogRecord>()
  for (const r of shipped) recordOf.set(r.record_id, r)
  const lastIndex = new Map<string, { token: string; at: number }>()
  for (const w of written) {
    const at = firstSeen.get(w.token)!
    const r = recordOf.get(idOfToken.get(w.token)!)!
    const file = `${w.stream}|${fileKey({ instance: r.instance, file: r.file, generation: r.generation })}`
    const previous = lastIndex.get(file)
    if (previous !== undefined && at < previous.at) {
      throw new Error(`order broken in ${file}: ${w.token} shipped before ${previous.token}`)
    }
    lastIndex.set(file, { token: w.token, at })
  }
}
