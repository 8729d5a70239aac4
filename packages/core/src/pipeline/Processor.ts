/**
 * Processing: consume blocks from the bus, parse and enrich their records, batch them by records, bytes and time,
 * ship each batch, and only then commit: the bus offsets (per partition, the highest contiguous shipped offset)
 * and, in the one-process modes where the bus dies with the process, the cursors the blocks carry.
 */
import { Duration, Effect, Metric, Option, Schedule, Sink, Stream, type Tracer } from "effect"
import type { BusError } from "../bus/BusError.ts"
import type { BusMessage } from "../bus/LogBus.ts"
import { LogBus } from "../bus/LogBus.ts"
import { fileKey } from "../domain/LogFile.ts"
import type { Cursor } from "../domain/Cursor.ts"
import type { LogRecord } from "../domain/LogRecord.ts"
import { DeadLetters, type DeadLetter } from "../sink/DeadLetters.ts"
import { LogSink } from "../sink/LogSink.ts"
import { makeStreamNamer } from "../sink/StreamName.ts"
import { Cursors } from "../state/Cursors.ts"
import { AckTracker } from "./AckTracker.ts"
import { CurrentPipelineStats } from "./PipelineStats.ts"
import { type DecoderOptions, RecordDecoder } from "./RecordDecoder.ts"
import { type Backoff, DEFAULT_BACKOFF, retryWhileRetryable } from "./RetryForever.ts"
import { batchBytes, batchRecords, shipDuration } from "../telemetry/PipelineMetrics.ts"
import { spanOfHeaders } from "../telemetry/TraceContext.ts"

export interface ProcessorOptions {
  readonly group: string
  readonly batchRecords: number
  readonly batchBytes: number
  readonly batchWaitMs: number
  readonly decoder: DecoderOptions
  /** One-process modes: move each block's cursor once the sink accepted everything up to it. */
  readonly commitCursors: boolean
  readonly streamTemplate?: string
  readonly backoff?: Backoff
  /**
   * Batches shipped side by side: partition p's records go to lane p % lanes, each lane batching and shipping in
   * order and committing its own partitions, so a file (one partition) keeps its order. 1 ships one batch at a time.
   */
  readonly shipLanes?: number
}

/** One element of the batching stream: a record, or the end of a message's reading. */
interface Item {
  readonly record: LogRecord | undefined
  readonly bytes: number
  readonly sources: ReadonlyArray<BusMessage>
}

class Batch {
  readonly items: Array<Item> = []
  records = 0
  bytes = 0
  add(item: Item): Batch {
    this.items.push(item)
    if (item.record !== undefined) {
      this.records++
      this.bytes += item.bytes
    }
    return this
  }
}

/** Runs until interrupted (or the bus fails for good). */
export const runProcessor = Effect.fn("Processor.run")(function*(options: ProcessorOptions) {
  const bus = yield* LogBus
  const sink = yield* LogSink
  const deadLetters = yield* DeadLetters
  // Only the one-process modes move cursors: the distributed processor has no cursor store at all.
  const cursorStore = yield* Effect.serviceOption(Cursors)
  if (options.commitCursors && Option.isNone(cursorStore)) return yield* Effect.die(new Error("commitCursors needs a Cursors layer"))
  const cursors = options.commitCursors ? Option.getOrUndefined(cursorStore) : undefined
  const stats = yield* CurrentPipelineStats
  const streamOf = makeStreamNamer(options.streamTemplate)
  const consumer = yield* bus.consumer(options.group)
  const decoder = new RecordDecoder(options.decoder)
  const acks = new AckTracker()

  /** A message's items. Lanes have partitions of their own, and a file's blocks are all in one partition. */
  const decode = (message: BusMessage): Array<Item> => {
    const items: Array<Item> = []
    acks.track(message)
    stats.blocksReceived++
    const late = decoder.lateBlocks
    const { records, held } = decoder.decode(message)
    if (decoder.lateBlocks !== late) stats.lateBlocksSkipped++
    for (const decoded of records) {
      // Earlier partial messages hand their reading reference over to the record; this message gains one.
      if (decoded.sources.includes(message)) acks.retain(message)
      items.push(decoded)
    }
    // A message whose tail waits in a pending record hands its reading reference over to that record.
    if (!held) items.push({ record: undefined, bytes: 0, sources: [message] })
    return items
  }

  const moveCursors = (completed: ReadonlyArray<BusMessage>) =>
    Effect.gen(function*() {
      if (cursors === undefined) return
      const latest = new Map<string, { cursor: Cursor; fence: number }>()
      for (const m of completed) {
        if (m.block.cursorAfter !== undefined) latest.set(fileKey(m.block), { cursor: m.block.cursorAfter, fence: m.block.fence })
      }
      for (const { cursor, fence } of latest.values()) {
        yield* retryWhileRetryable(cursors.put({ instance: cursor.instance, owner: "processor", version: fence, expiresAt: 0 }, cursor)).pipe(
          Effect.catchTag("StateError", (e) => Effect.logWarning(`cursor of ${cursor.instance}/${cursor.file} not moved: ${e.message}`))
        )
      }
    })

  const lanes = Math.max(1, options.shipLanes ?? 1)
  const laneOf = (partition: number) => partition % lanes

  const shipBatch = Effect.fnUntraced(function*(batch: Batch, lane: number) {
    const records: Array<LogRecord> = []
    for (const item of batch.items) if (item.record !== undefined) records.push(item.record)
    if (records.length > 0) {
      const letters: Array<DeadLetter> = []
      const started = Date.now()
      const result = yield* retryWhileRetryable(sink.ship(records), {
        backoff: options.backoff ?? DEFAULT_BACKOFF,
        waitHint: (e) => (e.reason._tag === "SinkUnavailable" ? e.reason.retryAfterMs : undefined),
        onRetry: (e, attempt, delay) =>
          Effect.sync(() => stats.shipFailures++).pipe(
            Effect.andThen(attempt % 10 === 0 ? Effect.logWarning(`sink failed (${e.message}); retrying in ${delay} ms`) : Effect.void)
          )
      }).pipe(
        Effect.catchTag("SinkError", (e) => {
          const now = Date.now()
          for (const record of records) letters.push({ reason: e.message, record, at: now })
          return Effect.succeed({ rejected: [] })
        })
      )
      const now = Date.now()
      yield* Metric.update(shipDuration, Duration.millis(now - started))
      yield* Metric.update(batchRecords, records.length)
      yield* Metric.update(batchBytes, batch.bytes)
      for (const r of result.rejected) letters.push({ reason: r.reason, record: r.record, at: now })
      if (letters.length > 0) {
        yield* retryWhileRetryable(deadLetters.write(letters))
        stats.deadLettered += letters.length
        yield* Effect.logWarning(`${letters.length} records sent to the dead-letter path: ${letters[0].reason}`)
      }
      stats.recordsShipped += records.length
      stats.bytesShipped += batch.bytes
      stats.batchesShipped++
      stats.lastShipAt = now
      for (const record of records) {
        if (record._timestamp !== undefined && record._timestamp > stats.newestShippedMicros) stats.newestShippedMicros = record._timestamp
        if (record.parse_error !== undefined) stats.unparsed++
        const stream = streamOf(record)
        stats.byStream.set(stream, (stats.byStream.get(stream) ?? 0) + 1)
      }
    }
    for (const item of batch.items) for (const source of item.sources) acks.release(source)
    const { completed, positions } = acks.advance(lanes === 1 ? undefined : (partition) => laneOf(partition) === lane)
    stats.blocksCompleted += completed.length
    // Cursors first: a crash between the two re-delivers (duplicates), the other order could lose.
    yield* moveCursors(completed)
    if (positions.size > 0) yield* consumer.commit(positions)
  })

  /** The batch span links to the span of every block it holds records of (once per block). */
  const traced = (batch: Batch, lane: number) => {
    const links: Array<{ span: Tracer.AnySpan; attributes: Record<string, unknown> }> = []
    const seen = new Set<BusMessage>()
    for (const item of batch.items) {
      for (const m of item.sources) {
        if (seen.has(m) || links.length >= 128) continue
        seen.add(m)
        const span = spanOfHeaders(m.headers ?? m.block.headers)
        if (span !== undefined) links.push({ span, attributes: { partition: m.partition, offset: m.offset } })
      }
    }
    return shipBatch(batch, lane).pipe(Effect.withSpan("processor.ship", { links, attributes: { records: batch.records, bytes: batch.bytes, lane } }))
  }

  /**
   * One lane: its messages decoded as it pulls them (one block per pull: decoding waits while the lane's batches
   * wait on the sink, so the records in memory are bounded by the batch size, not by what the bus hands over), the
   * records batched by records, bytes and time, the batches shipped one after the other. A block may yield no item
   * (a record still waiting for its continuation).
   */
  const lane = (index: number, messages: Stream.Stream<BusMessage, BusError>) =>
    messages.pipe(
      Stream.map(decode),
      Stream.flattenIterable,
      Stream.aggregateWithin(
        Sink.reduceWhile(() => new Batch(), (b) => b.records < options.batchRecords && b.bytes < options.batchBytes, (b, item: Item) => b.add(item)),
        Schedule.spaced(options.batchWaitMs)
      ),
      // The next batch is put together while this one ships (one batch ahead, so memory stays bounded); a lane's
      // batches ship one after the other, in order.
      Stream.buffer({ capacity: 1 }),
      Stream.mapEffect((batch) => traced(batch, index))
    )

  const messages = Stream.rechunk(consumer.messages, 1)
  return yield* (lanes === 1 ? lane(0, messages) : messages.pipe(
    // Blocks wait for their lane undecoded. A lane whose queue is full stops the reading for every lane (the next
    // block cannot be passed over): room for a few blocks per lane keeps the others fed while one waits on the sink.
    Stream.groupByKey((message) => laneOf(message.partition), { bufferSize: 8 }),
    Stream.flatMap(([index, messages]) => lane(index, messages), { concurrency: "unbounded" })
  )).pipe(Stream.runDrain)
})
