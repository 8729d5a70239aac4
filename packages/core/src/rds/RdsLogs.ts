/**
 * The RDS log-file API as the pipeline needs it: the Aurora fleet, the log files of an instance, and their bytes.
 *
 * The real layer (package @aurora-logs/aws) speaks to the RDS API; `layerMemory` serves a `SimulatedFleet` with
 * the same marker semantics, so the pipeline is exercised end to end without AWS.
 */
import { Context, Effect, Layer, Stream } from "effect"
import type { Instance } from "../domain/Instance.ts"
import type { LogFileInfo } from "../domain/LogFile.ts"
import { FileNotFound, InstanceNotFound, RdsError } from "./RdsError.ts"
import type { SimulatedFleet } from "./SimulatedFleet.ts"

/** One DownloadDBLogFilePortion answer, with the data as bytes. */
export interface Portion {
  readonly data: Uint8Array
  /** The marker to pass back for the next portion. */
  readonly marker: string
  readonly pending: boolean
  /** The answer ended in " [Your log message was truncated]" even at one line: the line is cut. */
  readonly truncated?: boolean
}

export class RdsLogs extends Context.Service<RdsLogs, {
  /** Aurora instances that are available, with their cluster, role and tags. */
  readonly listInstances: Effect.Effect<ReadonlyArray<Instance>, RdsError>
  readonly listFiles: (instance: string) => Effect.Effect<ReadonlyArray<LogFileInfo>, RdsError>
  /** Up to `maxBytes`-ish of the file from `marker` ("0" = start). */
  readonly downloadPortion: (instance: string, file: string, marker: string) => Effect.Effect<Portion, RdsError>
  /** The whole file from byte `from`, streamed (closed files, catching up). */
  readonly downloadComplete: (instance: string, file: string, from: number) => Stream.Stream<Uint8Array, RdsError>
}>()("aurora-logs/RdsLogs") {
  static readonly layerMemory = (fleet: SimulatedFleet, options?: { readonly portionBytes?: number }) =>
    Layer.succeed(RdsLogs, makeMemory(fleet, options?.portionBytes ?? 1_048_576))
}

const notFound = (instance: string, file: string) => new RdsError({ reason: new FileNotFound({ instance, file }) })

const makeMemory = (fleet: SimulatedFleet, portionBytes: number): RdsLogs["Service"] =>
  RdsLogs.of({
    listInstances: Effect.sync(() => fleet.instances()),
    listFiles: (instance) =>
      Effect.suspend(() => {
        const files = fleet.files(instance)
        return files === undefined
          ? Effect.fail(new RdsError({ reason: new InstanceNotFound({ instance }) }))
          : Effect.succeed(files)
      }),
    downloadPortion: (instance, file, marker) =>
      Effect.suspend(() => {
        const portion = fleet.portion(instance, file, marker, portionBytes)
        return portion === undefined ? Effect.fail(notFound(instance, file)) : Effect.succeed(portion)
      }),
    downloadComplete: (instance, file, from) =>
      Stream.suspend(() => {
        const bytes = fleet.bytes(instance, file)
        if (bytes === undefined) return Stream.fail(notFound(instance, file))
        const chunks: Array<Uint8Array> = []
        for (let at = from; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, Math.min(at + 65_536, bytes.length)))
        return Stream.fromIterable(chunks)
      })
  })
