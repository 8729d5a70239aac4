/**
 * Discovery: find the Aurora instances this replica holds leases for, find the log files that changed, download
 * what is new, cut it into blocks of whole records, publish them, and move the cursors.
 *
 * Where a cursor may move depends on the mode: right after the bus acknowledged the blocks when the bus is
 * durable (Kafka), or only once the sink accepted them when the bus lives in this process (`commit: "afterSink"`:
 * the blocks then carry their cursor and the processor moves it). Discovery keeps its own working cursors ahead of
 * the stored ones, and reloads them from the store whenever it (re)gains a lease.
 */
import { formatOfFile, type LogFormat } from "@aurora-logs/parsers"
import { Clock, Effect, Metric, Stream } from "effect"
import type { Block } from "../domain/Block.ts"
import { type Cursor, initialCursor } from "../domain/Cursor.ts"
import type { Instance } from "../domain/Instance.ts"
import { fileKey, type LogFileInfo } from "../domain/LogFile.ts"
import { LogBus } from "../bus/LogBus.ts"
import { type Portion, RdsLogs } from "../rds/RdsLogs.ts"
import { markerAt } from "../rds/SimulatedFleet.ts"
import { Cursors } from "../state/Cursors.ts"
import { type Lease, Leases } from "../state/Leases.ts"
import { leaseLost } from "../state/StateError.ts"
import { closedFiles, isRenameRotated, renamedFrom, rotatedBetween, seriesOf } from "./FileSeries.ts"
import { type FrameLimits, frame } from "./Framer.ts"
import { CurrentPipelineStats } from "./PipelineStats.ts"
import { reportWaits, retryWhileRetryable } from "./RetryForever.ts"
import { fileLag } from "../telemetry/PipelineMetrics.ts"
import { currentTraceHeaders } from "../telemetry/TraceContext.ts"

/** Where reading starts in a file never seen before. */
export type StartAt =
  | { readonly _tag: "beginning" }
  | { readonly _tag: "now" }
  | { readonly _tag: "since"; readonly ms: number }

export interface DiscoveryOptions {
  /** This replica's name in the lease table. */
  readonly owner: string
  readonly scanIntervalMs: number
  readonly leaseTtlMs: number
  readonly limits: FrameLimits
  /** A carried tail is published as a complete record once its file stayed quiet this long. */
  readonly flushAfterMs: number
  readonly startAt: StartAt
  readonly commit: "afterPublish" | "afterSink"
  /** Instances scanned at once. */
  readonly concurrency: number
  /** Bytes read from one file in one scan before the others get their turn. */
  readonly maxBytesPerFileScan: number
  /** Take every instance (one-process modes) instead of a fair share of the live replicas. */
  readonly takeAll: boolean
  /**
   * `afterPublish`: a file's cursor is written at most once per this interval or per `cursorWriteBytes` of
   * progress (and whenever a file is finished). A crash re-publishes what the skipped writes covered (duplicates
   * with the same record ids), a cost traded for fewer writes to the state store.
   */
  readonly cursorWriteIntervalMs?: number
  readonly cursorWriteBytes?: number
}

/** Lease keys that announce a live replica rather than hold an instance. */
export const PRESENCE = "~replica/"

/** Bytes read from an active file rotated by rename before a new listing confirms they came from that file. */
const CONFIRM_EVERY_BYTES = 4 * 1024 * 1024

const fallbackFormat = (instance: Instance): LogFormat => (instance.engine === "postgres" ? "postgres" : "mysql-error")

/** The working state of one replica: leases held and cursors ahead of the stored ones. */
export class DiscoveryState {
  readonly leases = new Map<string, Lease>()
  /** Working cursors per instance, keyed by `fileKey` (file identity and generation). */
  readonly cursors = new Map<string, Map<string, Cursor>>()
  /** The lease version the working cursors of an instance were loaded under. */
  readonly loadedUnder = new Map<string, number>()
  /** This replica's presence lease, which makes it count when replicas work out their share. */
  presence: Lease | undefined = undefined
  /** Per instance, bytes not yet published at the end of its last scan. */
  readonly unread = new Map<string, number>()
  /** Per file key, when discovery was last caught up with the file (or first saw it). */
  readonly caughtUpAt = new Map<string, number>()
  /** Per file key, when and where its cursor was last written (afterPublish). */
  readonly lastWrite = new Map<string, { readonly at: number; readonly offset: number }>()
  /** Per file key, the cursor published past its last write, to write once its turn comes. */
  readonly unwritten = new Map<string, { readonly lease: Lease; readonly cursor: Cursor }>()
}

export const makeDiscovery = Effect.fnUntraced(function*(options: DiscoveryOptions) {
  const rds = yield* RdsLogs
  const bus = yield* LogBus
  const cursorStore = yield* Cursors
  const leases = yield* Leases
  const stats = yield* CurrentPipelineStats
  const state = new DiscoveryState()

  // A retry says what it waits for (logged the first time and then every fifth); a completed scan clears it.
  const retry = <A, E extends { readonly isRetryable: boolean; readonly message: string }, R>(effect: Effect.Effect<A, E, R>) =>
    retryWhileRetryable(effect, { backoff: { initialMs: 500, maxMs: 30_000 }, onRetry: reportWaits(stats, 5) })

  /**
   * Takes this replica's share of the instances and lets go of the rest. Every replica also holds a presence lease
   * of its own, so that one that holds no instance yet still counts when the others work out their share.
   */
  const balance = Effect.fnUntraced(function*(instances: ReadonlyArray<Instance>) {
    if (!options.takeAll) state.presence = yield* retry(leases.acquire(`${PRESENCE}${options.owner}`, options.owner, options.leaseTtlMs))
    const now = yield* Clock.currentTimeMillis
    const all = yield* retry(leases.list)
    const owners = new Set(all.filter((l) => l.expiresAt > now).map((l) => l.owner))
    owners.add(options.owner)
    const share = options.takeAll ? instances.length : Math.ceil(instances.length / owners.size)
    const listed = new Set(instances.map((i) => i.id))
    for (const [id, lease] of Array.from(state.leases)) {
      if (!listed.has(id)) yield* handOver(id, lease)
    }
    for (const instance of instances) {
      if (state.leases.size >= share) break
      if (state.leases.has(instance.id)) continue
      const lease = yield* retry(leases.acquire(instance.id, options.owner, options.leaseTtlMs))
      if (lease !== undefined) state.leases.set(instance.id, lease)
    }
    let surplus = state.leases.size - share
    for (const [id, lease] of Array.from(state.leases)) {
      if (surplus-- <= 0) break
      yield* handOver(id, lease)
    }
  })

  /** Drops what discovery kept about a file key whose cursor is gone. */
  const forget = (key: string) => {
    state.caughtUpAt.delete(key)
    state.lastWrite.delete(key)
    state.unwritten.delete(key)
  }

  /** Forgets an instance this replica no longer holds. */
  const drop = (id: string) => {
    for (const key of state.cursors.get(id)?.keys() ?? []) forget(key)
    state.leases.delete(id)
    state.cursors.delete(id)
    state.loadedUnder.delete(id)
    state.unread.delete(id)
  }

  /** Lets go of an instance: its cursors are written first, so the next holder resumes exactly where we stood. */
  const handOver = Effect.fnUntraced(function*(id: string, lease: Lease) {
    const now = yield* Clock.currentTimeMillis
    for (const { lease: l, cursor } of Array.from(state.unwritten.values())) {
      if (cursor.instance === id && l.version === lease.version) yield* Effect.ignore(writeCursor(l, cursor, now, true))
    }
    drop(id)
    yield* Effect.ignore(leases.release(lease))
  })

  /** Renews every held lease; a lease that was lost is dropped with its working cursors. */
  const heartbeat = Effect.gen(function*() {
    for (const [id, lease] of Array.from(state.leases)) {
      const renewed = yield* Effect.result(leases.renew(lease, options.leaseTtlMs))
      // The instance may have been handed over while the renewal was on its way: never take a lease back.
      if (state.leases.get(id)?.version !== lease.version) continue
      if (renewed._tag === "Success") state.leases.set(id, renewed.success)
      else if (!renewed.failure.isRetryable) drop(id)
    }
  })

  const workingCursors = Effect.fnUntraced(function*(instance: string, lease: Lease) {
    let working = state.cursors.get(instance)
    if (working === undefined || state.loadedUnder.get(instance) !== lease.version) {
      working = new Map()
      for (const c of yield* retry(cursorStore.list(instance))) working.set(fileKey(c), c)
      state.cursors.set(instance, working)
      state.loadedUnder.set(instance, lease.version)
    }
    return working
  })

  /** Publishes framed blocks and moves (or hands over) the cursor; refuses once the lease deadline passed. */
  const deliver = Effect.fnUntraced(function*(
    instance: Instance,
    lease: Lease,
    before: Cursor,
    after: Cursor,
    framed: ReturnType<typeof frame>,
    format: LogFormat
  ) {
    const now = yield* Clock.currentTimeMillis
    const held = state.leases.get(instance.id)
    // A margin before the deadline: the blocks must be on the bus before another replica may take over.
    if (held === undefined || held.version !== lease.version || now + options.leaseTtlMs / 5 >= held.expiresAt) {
      return yield* leaseLost(instance.id)
    }
    const headers = yield* currentTraceHeaders
    const blocks: Array<Block> = framed.blocks.map((b, i) => ({
      instance: before.instance,
      file: before.file,
      generation: before.generation,
      source: instance,
      format,
      offset: b.offset,
      data: b.data,
      partial: b.partial,
      continuation: b.continuation,
      fence: lease.version,
      ...(headers === undefined ? {} : { headers }),
      ...(options.commit === "afterSink" && i === framed.blocks.length - 1 ? { cursorAfter: after } : {})
    }))
    if (blocks.length > 0) {
      yield* retry(bus.publish(blocks))
      stats.blocksPublished += blocks.length
    }
    if (options.commit === "afterPublish") yield* writeCursor(lease, after, now, false)
  })

  /** Writes the cursor now, or leaves it for later when the last write was recent and close. */
  const writeCursor = Effect.fnUntraced(function*(lease: Lease, cursor: Cursor, now: number, force: boolean) {
    const key = fileKey(cursor)
    const last = state.lastWrite.get(key)
    const due = force || cursor.done || last === undefined ||
      now - last.at >= (options.cursorWriteIntervalMs ?? 0) ||
      cursor.offset - last.offset >= (options.cursorWriteBytes ?? 0)
    if (!due) {
      state.unwritten.set(key, { lease, cursor })
      return
    }
    yield* retry(cursorStore.put(lease, cursor))
    state.lastWrite.set(key, { at: now, offset: cursor.offset })
    state.unwritten.delete(key)
  })

  /** Writes the cursors whose interval has passed since they were left unwritten. */
  const writeDueCursors = Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    for (const { lease, cursor } of Array.from(state.unwritten.values())) {
      if (state.leases.get(cursor.instance)?.version === lease.version) yield* writeCursor(lease, cursor, now, false)
    }
  })

  /** Publishing into one file's cursor: frame what was read, deliver the blocks, move the working cursor. */
  const fileWriter = (instance: Instance, lease: Lease, working: Map<string, Cursor>, key: string, file: LogFileInfo) => {
    const format = formatOfFile(working.get(key)!.file) ?? fallbackFormat(instance)
    const publish = (data: Uint8Array, flush: boolean, next: Omit<Partial<Cursor>, "carry">) =>
      Effect.gen(function*() {
        const cursor = working.get(key)!
        const framed = frame(format, cursor.carry, cursor.offset - cursor.carry.length, cursor.carryContinues, data, flush, options.limits)
        const now = yield* Clock.currentTimeMillis
        const after: Cursor = {
          ...cursor,
          ...next,
          offset: cursor.offset + data.length,
          carry: framed.carry,
          carryContinues: framed.carryContinues,
          size: file.size,
          lastWritten: file.lastWritten,
          lastDataAt: data.length > 0 ? now : cursor.lastDataAt
        }
        if (framed.blocks.length > 0 || options.commit === "afterPublish") {
          yield* deliver(instance, lease, cursor, after, framed, format).pipe(
            Effect.withSpan("discovery.publish", {
              attributes: { instance: instance.id, file: cursor.file, generation: cursor.generation, bytes: data.length, blocks: framed.blocks.length }
            })
          )
        }
        working.set(key, after)
        stats.bytesDownloaded += data.length
      })

    /** After this scan's reads: the file's lag, then the carried tail of a finished or quiet file. */
    const settle = (closed: boolean) =>
      Effect.gen(function*() {
        const cursor = working.get(key)!
        const now = yield* Clock.currentTimeMillis
        if (cursor.offset >= file.size || !state.caughtUpAt.has(key)) state.caughtUpAt.set(key, now)
        const lag = cursor.offset >= file.size ? 0 : (now - state.caughtUpAt.get(key)!) / 1000
        yield* Metric.update(Metric.withAttributes(fileLag, { instance: instance.id, file: seriesOf(cursor.file) }), lag)
        if (cursor.offset >= file.size && closed) {
          yield* publish(new Uint8Array(0), true, { done: true })
        } else if (cursor.carry.length > 0 && now - cursor.lastDataAt >= options.flushAfterMs) {
          yield* publish(new Uint8Array(0), true, {})
        }
      })

    return { publish, settle, cursor: () => working.get(key)! }
  }

  const tailFile = Effect.fnUntraced(function*(
    instance: Instance,
    lease: Lease,
    working: Map<string, Cursor>,
    key: string,
    file: LogFileInfo,
    closed: boolean
  ) {
    const writer = fileWriter(instance, lease, working, key, file)
    let budget = options.maxBytesPerFileScan
    if (closed) {
      const cursor = writer.cursor()
      if (cursor.offset < file.size) {
        yield* rds.downloadComplete(instance.id, cursor.readName, cursor.offset).pipe(
          Stream.runForEachWhile((chunk) => {
            budget -= chunk.length
            return Effect.as(writer.publish(chunk, false, {}), budget > 0)
          })
        )
      }
    } else {
      // `pending` is only a hint: the API has been seen to say "no more" long before the listed size, so reading
      // goes on while the listing says there is more and pages still bring bytes.
      while (writer.cursor().offset < file.size && budget > 0) {
        const portion = yield* retry(rds.downloadPortion(instance.id, writer.cursor().readName, writer.cursor().marker))
        if (portion.data.length === 0) break
        budget -= portion.data.length
        yield* writer.publish(portion.data, false, { marker: portion.marker })
      }
    }
    yield* writer.settle(closed)
  })

  /**
   * Tails the active files of an instance that rotate by rename (`mysql-slowquery.log`, ...). Listing and reading
   * are separate calls: such a file may be renamed away in between, and a read at the old generation's marker then
   * returns the new generation's bytes. So pages are held until a new listing shows no file renamed away from their
   * file since `listed` (one listing per round for all of the instance's files, a round reading at most
   * CONFIRM_EVERY_BYTES); pages of a file that was renamed are dropped, and the next scan gives the renamed file to
   * this cursor and starts a new generation under the active name.
   */
  const tailRenameRotated = Effect.fnUntraced(function*(
    instance: Instance,
    lease: Lease,
    working: Map<string, Cursor>,
    active: ReadonlyArray<{ readonly key: string; readonly file: LogFileInfo }>,
    listed: ReadonlyArray<LogFileInfo>
  ) {
    const tails = active.map(({ file, key }) => ({
      file,
      writer: fileWriter(instance, lease, working, key, file),
      budget: options.maxBytesPerFileScan,
      more: true,
      rotated: false
    }))
    for (;;) {
      const held: Array<{ readonly tail: (typeof tails)[number]; readonly pages: Array<Portion> }> = []
      let read = 0
      for (const tail of tails) {
        if (!tail.more || read >= CONFIRM_EVERY_BYTES) continue
        const pages: Array<Portion> = []
        let offset = tail.writer.cursor().offset
        let marker = tail.writer.cursor().marker
        while (offset < tail.file.size && tail.budget > 0 && read < CONFIRM_EVERY_BYTES) {
          const portion = yield* retry(rds.downloadPortion(instance.id, tail.writer.cursor().readName, marker))
          if (portion.data.length === 0) break
          pages.push(portion)
          marker = portion.marker
          offset += portion.data.length
          read += portion.data.length
          tail.budget -= portion.data.length
        }
        // Another round only for a file whose reading stopped at the round's limit.
        tail.more = pages.length > 0 && offset < tail.file.size && tail.budget > 0 && read >= CONFIRM_EVERY_BYTES
        if (pages.length > 0) held.push({ tail, pages })
      }
      if (held.length === 0) break
      const now = yield* retry(rds.listFiles(instance.id))
      for (const { tail, pages } of held) {
        if (rotatedBetween(tail.file.name, listed, now)) {
          tail.rotated = true
          tail.more = false
          stats.readsRotatedAway++
          yield* Effect.logDebug(`${instance.id}/${tail.file.name} was renamed while it was read: the read is left to the next scan`)
          continue
        }
        for (const page of pages) yield* tail.writer.publish(page.data, false, { marker: page.marker })
      }
    }
    for (const tail of tails) if (!tail.rotated) yield* tail.writer.settle(false)
  })

  const newCursor = (instance: string, name: string, file: LogFileInfo, generation: number, now: number): Cursor => {
    const fresh = initialCursor({ instance, file: name, generation }, { size: file.size, lastWritten: file.lastWritten, now })
    const start = options.startAt
    if (generation > 0 || start._tag === "beginning") return fresh
    if (start._tag === "since" && file.lastWritten >= now - start.ms) return fresh
    // Only what is written from now on: everything already in the file counts as read.
    return { ...fresh, offset: file.size, marker: markerAt(file.size) }
  }

  /**
   * Gives each listed file its cursor. The highest generation of a name owns the file of that name; a file renamed
   * away from an active name is claimed by the generation it held (an older generation still reading under the
   * active name, or the owner itself when the rename is new, whose name then starts a new generation). The rules
   * look only at the listing and the stored cursors, so a restart after a crash at any point claims the same way.
   */
  const claim = Effect.fnUntraced(function*(
    instance: string,
    lease: Lease,
    working: Map<string, Cursor>,
    files: ReadonlyArray<LogFileInfo>,
    now: number
  ) {
    const listed = new Map(files.map((f) => [f.name, f] as const))
    const owners = new Map<string, string>()
    // Cursors without a file under their name: rotated away (they look for the renamed file) or gone.
    const orphans: Array<string> = []
    for (const [key, c] of working) {
      if (!listed.has(c.readName)) {
        orphans.push(key)
        continue
      }
      const held = owners.get(c.readName)
      if (held === undefined) owners.set(c.readName, key)
      else if (working.get(held)!.generation < c.generation) {
        orphans.push(held)
        owners.set(c.readName, key)
      } else orphans.push(key)
    }
    const created: Array<Cursor> = []
    const adopt = (key: string, to: LogFileInfo) => {
      const c = working.get(key)!
      working.set(key, { ...c, readName: to.name })
      owners.set(to.name, key)
    }
    const fits = (c: Cursor, f: LogFileInfo) => f.size >= c.offset && f.lastWritten >= c.lastWritten
    const renamed = files.filter((f) => renamedFrom(f.name) !== undefined && !owners.has(f.name))
    for (const key of orphans) {
      const c = working.get(key)!
      const found = renamed.find((f) => !owners.has(f.name) && renamedFrom(f.name) === c.file && fits(c, f))
      if (found !== undefined) adopt(key, found)
    }
    for (const f of renamed) {
      if (owners.has(f.name)) continue
      const active = renamedFrom(f.name)!
      const ownerKey = owners.get(active)
      const owner = ownerKey === undefined ? undefined : working.get(ownerKey)
      if (owner !== undefined && owner.file === active && !owner.done && fits(owner, f)) {
        adopt(ownerKey!, f)
        const activeFile = listed.get(active)
        owners.delete(active)
        if (activeFile !== undefined) {
          const next = newCursor(instance, active, activeFile, owner.generation + 1, now)
          working.set(fileKey(next), next)
          owners.set(active, fileKey(next))
          created.push(next)
        }
      }
    }
    for (const f of files) {
      if (owners.has(f.name)) continue
      const fresh = newCursor(instance, f.name, f, 0, now)
      working.set(fileKey(fresh), fresh)
      owners.set(f.name, fileKey(fresh))
      created.push(fresh)
    }
    // A new cursor is stored at once: it is a starting position, safe in every mode, and it lets a restart tell
    // a new generation from a rename it already saw.
    for (const c of created) yield* retry(cursorStore.put(lease, c))
    return owners
  })

  const scanInstance = Effect.fnUntraced(function*(instance: Instance, lease: Lease) {
    const files = yield* retry(rds.listFiles(instance.id)).pipe(
      Effect.catchTag("RdsError", (e) => e.reason._tag === "InstanceNotFound" ? Effect.succeed([]) : Effect.fail(e))
    )
    const working = yield* workingCursors(instance.id, lease)
    const now = yield* Clock.currentTimeMillis
    const owners = yield* claim(instance.id, lease, working, files, now)
    const closed = closedFiles(files.map((f) => f.name))

    // Older generations first: a renamed file before the active name it came from.
    const order = (f: LogFileInfo) => {
      const from = renamedFrom(f.name)
      return from === undefined ? `${f.name}\u0001` : `${from}\u0000${f.name}`
    }
    const renameRotated: Array<{ readonly key: string; readonly file: LogFileInfo }> = []
    for (const file of [...files].sort((a, b) => (order(a) < order(b) ? -1 : 1))) {
      const key = owners.get(file.name)!
      let cursor = working.get(key)!
      if (file.size < cursor.offset) {
        // Shrunk in place with no renamed copy: a new generation; what the old one still held is gone.
        yield* reportGap(instance.id, cursor, cursor.size - cursor.offset)
        working.delete(key)
        cursor = newCursor(instance.id, cursor.file, file, cursor.generation + 1, now)
        working.set(fileKey(cursor), cursor)
        yield* retry(cursorStore.put(lease, cursor))
        owners.set(file.name, fileKey(cursor))
      }
      if (cursor.done) continue
      if (!closed.has(file.name) && isRenameRotated(file.name)) renameRotated.push({ key: fileKey(cursor), file })
      else yield* tailFile(instance, lease, working, fileKey(cursor), file, closed.has(file.name))
    }
    if (renameRotated.length > 0) yield* tailRenameRotated(instance, lease, working, renameRotated, files)

    // Cursors whose file is gone: retention took it, or its renamed copy never showed. What was not read is a gap.
    const claimed = new Set(owners.values())
    for (const [key, cursor] of Array.from(working)) {
      if (claimed.has(key)) continue
      working.delete(key)
      forget(key)
      if (!cursor.done && cursor.size > cursor.offset) yield* reportGap(instance.id, cursor, cursor.size - cursor.offset)
      yield* Effect.ignore(cursorStore.remove(lease, cursor))
    }
    let unread = 0
    const sizeOf = new Map(files.map((f) => [owners.get(f.name), f.size] as const))
    for (const [key, cursor] of working) {
      const size = sizeOf.get(key) ?? cursor.offset
      unread += Math.max(0, size - cursor.offset) + (cursor.done ? 0 : cursor.carry.length)
    }
    state.unread.set(instance.id, unread)
    stats.filesTailed = Array.from(state.cursors.values()).reduce((n, m) => n + m.size, 0)
  })

  const reportGap = (instance: string, cursor: Cursor, bytes: number) =>
    Effect.sync(() => {
      stats.gaps++
      stats.bytesLost += bytes
    }).pipe(Effect.andThen(Effect.logWarning(`gap: ${bytes} bytes of ${instance}/${cursor.file} expired or were replaced before they were read`)))

  /** One pass over the fleet: leases, then every held instance. */
  const scanOnce = Effect.gen(function*() {
    const instances = yield* retry(rds.listInstances)
    stats.instances = instances.length
    yield* balance(instances)
    const byId = new Map(instances.map((i) => [i.id, i] as const))
    yield* Effect.forEach(
      Array.from(state.leases),
      ([id, lease]) =>
        scanInstance(byId.get(id)!, lease).pipe(
          Effect.catchTag("StateError", (e) =>
            e.isRetryable ? Effect.fail(e) : Effect.sync(() => drop(id)).pipe(Effect.andThen(Effect.logWarning(`stopped tailing ${id}: ${e.message}`)))),
          Effect.catchTag("RdsError", (e) => Effect.logWarning(`scan of ${id} failed: ${e.message}`))
        ),
      { concurrency: options.concurrency, discard: true }
    )
    for (const id of Array.from(state.unread.keys())) if (!state.leases.has(id)) state.unread.delete(id)
    stats.unreadBytes = Array.from(state.unread.values()).reduce((a, b) => a + b, 0)
    yield* writeDueCursors
    stats.scans++
    stats.waitingFor = ""
    stats.lastScanAt = yield* Clock.currentTimeMillis
  })

  const run = Effect.gen(function*() {
    // A replica that stops lets go of its instances, cursors written: the others take over at once, not a lease later.
    yield* Effect.addFinalizer(() =>
      Effect.forEach(Array.from(state.leases), ([id, lease]) => handOver(id, lease), { discard: true }).pipe(
        Effect.andThen(Effect.suspend(() => state.presence === undefined ? Effect.void : Effect.ignore(leases.release(state.presence)))),
        Effect.ignore
      ))
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(Math.max(1, Math.floor(options.leaseTtlMs / 3))), heartbeat)))
    return yield* Effect.forever(Effect.andThen(scanOnce, Effect.sleep(options.scanIntervalMs)))
  })

  return { scanOnce, run, state }
})
