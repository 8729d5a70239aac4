/**
 * Running figures of one process's pipeline, for the demo's live progress and summary and for readiness:
 * plain counters, cheap enough to bump on every block and batch.
 */
import { Context } from "effect"

export class PipelineStats {
  instances = 0
  filesTailed = 0
  bytesDownloaded = 0
  blocksPublished = 0
  recordsShipped = 0
  bytesShipped = 0
  batchesShipped = 0
  shipFailures = 0
  deadLettered = 0
  unparsed = 0
  /** Blocks the processor read from the bus. */
  blocksReceived = 0
  /** Blocks whose every record was shipped (and whose cursor could move). */
  blocksCompleted = 0
  /** At the end of the last scan: bytes listed but not read yet, plus carried bytes not yet published. */
  unreadBytes = 0
  gaps = 0
  bytesLost = 0
  /** Reads of an active file that was renamed away while they were made: dropped, read again from the renamed file. */
  readsRotatedAway = 0
  /** Blocks of a replica that had lost their file, landed after the new holder's and skipped (see RecordDecoder). */
  lateBlocksSkipped = 0
  /** Records shipped per OpenObserve stream. */
  readonly byStream = new Map<string, number>()
  /** `_timestamp` (epoch µs) of the newest record shipped: now minus this is how far behind the sink is. */
  newestShippedMicros = 0
  /** Epoch ms of the last shipped batch and the last completed scan: readiness looks at progress. */
  lastShipAt = 0
  lastScanAt = 0
  /** Completed scans. */
  scans = 0
  /**
   * The failure a retry is waiting out (a dependency that cannot be reached), "" when none: without it a readiness
   * probe could only say that nothing happened, not why.
   */
  waitingFor = ""

  /** Blocks published or read and not yet shipped, whichever side of the bus runs here. */
  get blocksInFlight(): number {
    return Math.max(0, Math.max(this.blocksPublished, this.blocksReceived) - this.blocksCompleted)
  }

  /** Nothing listed is left to read and every published block was shipped. */
  get idle(): boolean {
    return this.scans > 0 && this.unreadBytes === 0 && this.blocksCompleted >= this.blocksPublished
  }
}

export const CurrentPipelineStats = Context.Reference<PipelineStats>("aurora-logs/PipelineStats", {
  defaultValue: () => new PipelineStats()
})
