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
  gaps = 0
  bytesLost = 0
  /** Records shipped per OpenObserve stream. */
  readonly byStream = new Map<string, number>()
  /** Per file key: epoch ms of the newest byte downloaded, for lag. */
  readonly lastWrittenSeen = new Map<string, number>()
  /** Epoch ms of the last shipped batch and the last completed scan: readiness looks at progress. */
  lastShipAt = 0
  lastScanAt = 0
}

export const CurrentPipelineStats = Context.Reference<PipelineStats>("aurora-logs/PipelineStats", {
  defaultValue: () => new PipelineStats()
})
