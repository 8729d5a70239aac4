/**
 * Where what cannot be shipped goes, with the reason: never silently dropped. The Kafka dead-letter topic in the
 * distributed mode (package @aurora-logs/kafka), an NDJSON file under the data folder in the one-process modes.
 */
import { Context, Effect, Layer, Ref } from "effect"
import type { LogRecord } from "../domain/LogRecord.ts"
import { BusError, BusUnavailable } from "../bus/BusError.ts"
import { makeNdjsonAppender } from "./NdjsonAppend.ts"

export interface DeadLetter {
  readonly reason: string
  /** A record the sink refused for good. */
  readonly record?: LogRecord
  /** A bus message that could not be decoded, as its key and raw bytes (base64). */
  readonly raw?: { readonly key: string; readonly base64: string }
  /** Epoch ms. */
  readonly at: number
}

export class DeadLetters extends Context.Service<DeadLetters, {
  readonly write: (letters: ReadonlyArray<DeadLetter>) => Effect.Effect<void, BusError>
}>()("aurora-logs/DeadLetters") {
  static readonly layerMemory = (recorded: Ref.Ref<ReadonlyArray<DeadLetter>>) =>
    Layer.succeed(DeadLetters, DeadLetters.of({ write: (letters) => Ref.update(recorded, (all) => [...all, ...letters]) }))

  /** One NDJSON line per letter, appended and fsynced before `write` returns. */
  static readonly layerFile = (path: string) =>
    Layer.sync(DeadLetters, () => {
      const append = makeNdjsonAppender()
      return DeadLetters.of({
        write: (letters) =>
          letters.length === 0 ? Effect.void : Effect.try({
            try: () => append(path, letters.map((l) => JSON.stringify(l)).join("\n") + "\n"),
            catch: (e) => new BusError({ reason: new BusUnavailable({ message: `cannot write dead letters to ${path}: ${String(e)}` }) })
          })
      })
    })
}
