/**
 * The dead-letter topic: what cannot be shipped (a message that cannot be decoded, a record the sink refused for
 * good), one JSON `DeadLetter` per message, with the reason. `write` returns once Kafka acknowledged the letters,
 * so a caller may then treat them as done.
 */
import { type BusError, type DeadLetter, DeadLetters } from "@aurora-logs/core"
import { Effect, Layer } from "effect"
import type { Message } from "kafkajs"
import { KafkaClient } from "./KafkaClient.ts"

const keyOf = (letter: DeadLetter): string => letter.record?.record_id ?? letter.raw?.key ?? "unknown"

export const writeDeadLetters = (
  client: KafkaClient["Service"],
  topic: string,
  letters: ReadonlyArray<DeadLetter>
): Effect.Effect<void, BusError> => {
  if (letters.length === 0) return Effect.void
  const messages: Array<Message> = []
  let bytes = 0
  for (const letter of letters) {
    const value = Buffer.from(JSON.stringify(letter), "utf8")
    bytes += value.byteLength
    messages.push({ key: keyOf(letter), value, headers: { "al-dlq-reason": letter.reason.slice(0, 1024) } })
  }
  return client.send(topic, messages, bytes)
}

/** `DeadLetters` on the dead-letter topic of the `KafkaClient` settings. */
export const layer: Layer.Layer<DeadLetters, never, KafkaClient> = Layer.effect(
  DeadLetters,
  Effect.gen(function*() {
    const client = yield* KafkaClient
    const topic = client.settings.deadLetterTopic
    return DeadLetters.of({
      write: Effect.fn("KafkaDeadLetters.write")(function*(letters) {
        yield* Effect.annotateCurrentSpan("letters", letters.length)
        yield* writeDeadLetters(client, topic, letters)
      })
    })
  })
)
