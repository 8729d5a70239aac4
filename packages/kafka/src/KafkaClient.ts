/**
 * The connection to Kafka shared by the log bus and the dead-letter writer: one kafkajs client, its topics made
 * sure of (created with the configured partitions and replication when missing), and one idempotent producer
 * (acks=all, gzip) whose sends go out one request at a time (see SendQueue) and which is replaced after a failed
 * send (see `retire` below).
 *
 * kafkajs logs go to the Effect logger; the SASL password is handed to kafkajs and never logged.
 */
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import { type BusError, CurrentPipelineStats, reportWaits, retryWhileRetryable } from "@aurora-logs/core"
import {
  type Admin,
  CompressionTypes,
  type Consumer,
  type ConsumerConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
  type SASLOptions
} from "kafkajs"
import { toBusError } from "./KafkaErrors.ts"
import { type KafkaSettings, settingsConfig } from "./KafkaSettings.ts"
import { SendQueue } from "./SendQueue.ts"

/** Raw bytes per produce request: gzip makes a few MiB of log text well under the topic's message size. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024
/** Topic `max.message.bytes`: a record batch is one partition's part of a request, compressed. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024

export interface TopicPlan {
  readonly replication: number
  readonly minInsyncReplicas: number
}

/** Three replicas (two in sync for a write) unless told otherwise, fewer when the cluster has fewer brokers. */
export const planTopics = (settings: KafkaSettings, brokers: number): TopicPlan => {
  const replication = settings.replication ?? Math.max(1, Math.min(3, brokers))
  return { replication, minInsyncReplicas: replication >= 3 ? 2 : 1 }
}

export class KafkaClient extends Context.Service<KafkaClient, {
  readonly settings: KafkaSettings
  readonly kafka: Kafka
  /** Sends to `topic`; resolves once every message is acknowledged by all in-sync replicas. */
  readonly send: (topic: string, messages: ReadonlyArray<Message>, bytes: number) => Effect.Effect<void, BusError>
  /** A group consumer with the session settings; the caller connects, runs and disconnects it. */
  readonly newConsumer: (group: string, overrides?: Partial<ConsumerConfig>) => Consumer
}>()("aurora-logs/kafka/KafkaClient") {
  static readonly layer = (settings: KafkaSettings): Layer.Layer<KafkaClient, BusError> => Layer.effect(KafkaClient, make(settings))

  static readonly layerConfig = Layer.unwrap(Effect.map(settingsConfig, (settings) => KafkaClient.layer(settings)))
}

const saslOptions = (settings: KafkaSettings): SASLOptions | undefined => {
  const sasl = settings.sasl
  if (sasl === undefined) return undefined
  const password = Redacted.value(sasl.password)
  switch (sasl.mechanism) {
    case "plain":
      return { mechanism: "plain", username: sasl.username, password }
    case "scram-sha-256":
      return { mechanism: "scram-sha-256", username: sasl.username, password }
    case "scram-sha-512":
      return { mechanism: "scram-sha-512", username: sasl.username, password }
  }
}

/** The kafkajs client options for these settings (exported for tests: TLS and SASL wiring). */
export const kafkaConfig = (settings: KafkaSettings, logCreator?: KafkaConfig["logCreator"]): KafkaConfig => {
  const sasl = saslOptions(settings)
  const tls = settings.tls
  return {
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    connectionTimeout: 5000,
    requestTimeout: 30000,
    logLevel: logLevel.WARN,
    ...(logCreator === undefined ? {} : { logCreator }),
    ...(tls === undefined ? {} : {
      ssl: tls.ca === undefined && tls.rejectUnauthorized
        ? true
        : { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.ca === undefined ? {} : { ca: [tls.ca] }) }
    }),
    ...(sasl === undefined ? {} : { sasl })
  }
}

const make = (settings: KafkaSettings) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const runLog = Effect.runForkWith(context)
    // Connection-level errors are retried by kafkajs and surface, if they last, as failed operations: debug.
    const logCreator: KafkaConfig["logCreator"] = () => ({ namespace, level, log }) => {
      const { message, ...rest } = log
      const line = `kafkajs ${namespace}: ${message}`
      const noisy = namespace === "Connection" || namespace === "BrokerPool" || namespace === "Cluster"
      const effect = level <= logLevel.ERROR && !noisy
        ? Effect.logError(line)
        : level <= logLevel.WARN && !noisy
        ? Effect.logWarning(line)
        : Effect.logDebug(line)
      runLog(effect.pipe(Effect.annotateLogs({ kafka: rest })))
    }
    const kafka = new Kafka(kafkaConfig(settings, logCreator))

    // Kafka out of reach at start is waited out rather than ended on: a restarted pod would only find it out of
    // reach again. Each wait is logged and shown on the readiness endpoint.
    const stats = yield* CurrentPipelineStats
    yield* retryWhileRetryable(ensureTopics(kafka, settings), { backoff: { initialMs: 1000, maxMs: 30_000 }, onRetry: reportWaits(stats) })
    stats.waitingFor = ""

    // A failed send may leave kafkajs's sequence numbers out of step with the broker (it rolls them back even
    // when the broker appended part of the request, e.g. a connection closed by a broker shutting down), after
    // which every send fails with OUT_OF_ORDER_SEQUENCE_NUMBER. So a failed send retires the producer: the next
    // one gets a new producer id, and the caller's re-publish can at worst duplicate, never reorder.
    let current: Promise<Producer> | undefined
    const producerNow = (): Promise<Producer> => {
      if (current === undefined) {
        const p = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner
        })
        const connecting = p.connect().then(() => p)
        current = connecting
        connecting.catch(() => {
          if (current === connecting) current = undefined
        })
      }
      return current
    }
    const retire = (producing: Promise<Producer>, error: unknown) => {
      if (current !== producing) return
      current = undefined
      runLog(Effect.logWarning(`Kafka producer replaced after a failed send: ${(error as Error)?.message ?? String(error)}`))
      void producing.then((p) => p.disconnect()).catch(() => undefined)
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => producerNow(), catch: (e) => toBusError(e, "cannot connect the Kafka producer") }),
      () => Effect.promise(() => (current ?? Promise.resolve(undefined)).then((p) => p?.disconnect()).catch(() => undefined))
    )

    const queue = new SendQueue(async (topicMessages) => {
      const producing = producerNow()
      const producer = await producing
      try {
        await producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.GZIP })
      } catch (e) {
        retire(producing, e)
        throw e
      }
    }, MAX_REQUEST_BYTES)

    return KafkaClient.of({
      settings,
      kafka,
      send: (topic, messages, bytes) =>
        messages.length === 0 ? Effect.void : Effect.callback<void, BusError>((resume) => {
          const entry = queue.enqueue(topic, messages, bytes, (error) =>
            resume(error === undefined ? Effect.void : Effect.fail(toBusError(error, `cannot publish to ${topic}`))))
          return Effect.sync(() => queue.cancel(entry))
        }),
      newConsumer: (group, overrides) => {
        const session = Duration.toMillis(settings.sessionTimeout)
        return kafka.consumer({
          groupId: group,
          sessionTimeout: session,
          // Heartbeats go out from the fetch loop; with paused partitions it idles maxWaitTime between rounds.
          heartbeatInterval: Math.max(100, Math.min(3000, Math.floor(session / 3))),
          maxWaitTimeInMs: Math.max(50, Math.min(500, Math.floor(session / 6))),
          maxBytesPerPartition: 1024 * 1024,
          maxBytes: 8 * 1024 * 1024,
          allowAutoTopicCreation: false,
          ...overrides
        })
      }
    })
  })

const ensureTopics = (kafka: Kafka, settings: KafkaSettings): Effect.Effect<void, BusError> =>
  Effect.acquireUseRelease(
    Effect.tryPromise({
      try: async () => {
        const admin = kafka.admin()
        await admin.connect()
        return admin
      },
      catch: (e) => toBusError(e, `cannot reach Kafka at ${settings.brokers.join(",")}`)
    }),
    (admin: Admin) =>
      Effect.gen(function*() {
        const cluster = yield* Effect.tryPromise({
          try: () => admin.describeCluster(),
          catch: (e) => toBusError(e, "cannot describe the Kafka cluster")
        })
        const plan = planTopics(settings, cluster.brokers.length)
        if (plan.replication < 3) {
          yield* Effect.logWarning(
            `Kafka topics get ${plan.replication} replica(s): fine for development, not for production (AURORA_LOGS_KAFKA_REPLICATION)`
          )
        }
        const configEntries = [
          { name: "min.insync.replicas", value: String(plan.minInsyncReplicas) },
          { name: "max.message.bytes", value: String(MAX_MESSAGE_BYTES) }
        ]
        yield* Effect.tryPromise({
          try: () =>
            admin.createTopics({
              waitForLeaders: true,
              topics: [
                { topic: settings.topic, numPartitions: settings.partitions, replicationFactor: plan.replication, configEntries },
                {
                  topic: settings.deadLetterTopic,
                  numPartitions: Math.min(settings.partitions, 3),
                  replicationFactor: plan.replication,
                  configEntries
                }
              ]
            }),
          catch: (e) => toBusError(e, `cannot create the topics ${settings.topic}, ${settings.deadLetterTopic}`)
        })
        const metadata = yield* Effect.tryPromise({
          try: () => admin.fetchTopicMetadata({ topics: [settings.topic] }),
          catch: (e) => toBusError(e, `cannot read the metadata of ${settings.topic}`)
        })
        const partitions = metadata.topics[0]?.partitions.length ?? 0
        if (partitions !== settings.partitions) {
          // Changing the count would move keys to other partitions and break per-file order: never done here.
          yield* Effect.logWarning(
            `topic ${settings.topic} has ${partitions} partitions, AURORA_LOGS_KAFKA_PARTITIONS says ${settings.partitions}: keeping ${partitions}`
          )
        }
      }),
    (admin) => Effect.promise(() => admin.disconnect().catch(() => undefined))
  )
