/**
 * The log bus on Kafka (kafkajs): `publish` sends each block keyed by its file (so a file keeps its order on one
 * partition) through the idempotent producer and returns once every in-sync replica has it; `consumer` joins a
 * group whose members share the partitions (see KafkaConsumer for pausing, rebalances and commits).
 *
 * `layerConfig` reads the settings from the environment (docs/kafka.md) and provides the bus, the dead-letter
 * writer and the client they share.
 */
import { type Block, type BusError, DeadLetters, LogBus } from "@aurora-logs/core"
import { Config, Effect, Layer } from "effect"
import type { Message } from "kafkajs"
import { encodeBlock } from "./BlockCodec.ts"
import { KafkaClient } from "./KafkaClient.ts"
import { type ConsumerOptions, makeConsumer } from "./KafkaConsumer.ts"
import * as KafkaDeadLetters from "./KafkaDeadLetters.ts"
import type { KafkaSettings } from "./KafkaSettings.ts"

export const make = (consumerOptions: ConsumerOptions = {}): Effect.Effect<LogBus["Service"], never, KafkaClient> =>
  Effect.gen(function*() {
    const client = yield* KafkaClient
    const topic = client.settings.topic
    const publish = Effect.fn("KafkaLogBus.publish")(function*(blocks: ReadonlyArray<Block>) {
      if (blocks.length === 0) return
      const messages = new Array<Message>(blocks.length)
      let bytes = 0
      for (let i = 0; i < blocks.length; i++) {
        const encoded = encodeBlock(blocks[i], blocks[i].headers)
        messages[i] = encoded
        bytes += encoded.value.byteLength
      }
      yield* Effect.annotateCurrentSpan({ blocks: blocks.length, bytes })
      yield* client.send(topic, messages, bytes)
    })
    return LogBus.of({
      publish,
      consumer: (group) => makeConsumer(group, consumerOptions).pipe(Effect.provideService(KafkaClient, client))
    })
  })

/** The bus over an existing `KafkaClient`. */
export const layerFromClient = (consumerOptions?: ConsumerOptions): Layer.Layer<LogBus, never, KafkaClient> =>
  Layer.effect(LogBus, make(consumerOptions))

/** Bus + dead letters + the client under them, from explicit settings (tests, library use). */
export const layer = (settings: KafkaSettings, consumerOptions?: ConsumerOptions): Layer.Layer<LogBus | DeadLetters | KafkaClient, BusError> =>
  Layer.mergeAll(layerFromClient(consumerOptions), KafkaDeadLetters.layer).pipe(Layer.provideMerge(KafkaClient.layer(settings)))

/** Bus + dead letters + client from the environment (`KAFKA_BROKERS`, `AURORA_LOGS_KAFKA_*`, `KAFKA_SSL`, `KAFKA_SASL_*`). */
export const layerConfig: Layer.Layer<LogBus | DeadLetters | KafkaClient, BusError | Config.ConfigError> =
  Layer.mergeAll(layerFromClient(), KafkaDeadLetters.layer).pipe(Layer.provideMerge(KafkaClient.layerConfig))
