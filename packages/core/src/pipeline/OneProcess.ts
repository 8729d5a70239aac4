/**
 * The one-process pipeline (`demo`, `run`): discovery and processing side by side around a bus that lives and
 * dies with the process, so cursors move only after the sink accepted everything before them.
 */
import { Effect } from "effect"
import { LogBus } from "../bus/LogBus.ts"
import { type DiscoveryOptions, makeDiscovery } from "./Discovery.ts"
import { type ProcessorOptions, runProcessor } from "./Processor.ts"

export interface OneProcessOptions {
  readonly discovery: Omit<DiscoveryOptions, "commit" | "takeAll">
  readonly processor: Omit<ProcessorOptions, "commitCursors">
  /** Bytes published but not yet shipped before discovery waits (memory bound). */
  readonly maxBacklogBytes: number
}

/** Runs until interrupted. */
export const runOneProcess = (options: OneProcessOptions) =>
  Effect.gen(function*() {
    const discovery = yield* makeDiscovery({ ...options.discovery, commit: "afterSink", takeAll: true })
    // Both halves run until interrupted; if one fails, the whole stops with it (never half a pipeline).
    return yield* Effect.all([runProcessor({ ...options.processor, commitCursors: true }), discovery.run], {
      concurrency: "unbounded",
      discard: true
    })
  }).pipe(Effect.scoped, Effect.provide(LogBus.layerMemory({ partitions: 8, maxBacklogBytes: options.maxBacklogBytes })))
