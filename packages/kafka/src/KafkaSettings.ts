/**
 * Everything the Kafka log bus can be told, read from the environment through `Config`. docs/kafka.md explains
 * each setting and its default. Secrets stay `Redacted`: they reach kafkajs only when the client is built.
 */
import * as NodeFs from "node:fs"
import { checkedSetting, invalidSetting, parseDuration, positiveIntSetting } from "@aurora-logs/core"
import { Config, Duration, Effect, Option, Redacted } from "effect"

export type SaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512"

export interface SaslSettings {
  readonly mechanism: SaslMechanism
  readonly username: string
  readonly password: Redacted.Redacted<string>
}

export interface TlsSettings {
  /** PEM of the certificate authorities to trust instead of the system's (a private CA). */
  readonly ca: string | undefined
  readonly rejectUnauthorized: boolean
}

export interface KafkaSettings {
  readonly brokers: ReadonlyArray<string>
  readonly clientId: string
  readonly topic: string
  readonly deadLetterTopic: string
  readonly partitions: number
  /** `undefined`: three replicas, or fewer when the cluster has fewer brokers (a development broker). */
  readonly replication: number | undefined
  /** The processor's consumer group. */
  readonly group: string
  readonly sessionTimeout: Duration.Duration
  /** Bytes of fetched, not yet pulled messages above which the consumer pauses its partitions. */
  readonly consumerBufferBytes: number
  readonly tls: TlsSettings | undefined
  readonly sasl: SaslSettings | undefined
}

export const defaultSettings = {
  clientId: "aurora-logs",
  topic: "aurora-logs.blocks",
  partitions: 50,
  replication: undefined,
  group: "aurora-logs-processor",
  sessionTimeout: Duration.seconds(30),
  consumerBufferBytes: 16 * 1024 * 1024,
  tls: undefined,
  sasl: undefined
} as const satisfies Omit<KafkaSettings, "brokers" | "deadLetterTopic">

/** Settings with every default filled in (tests, library use): only the brokers are needed. */
export const makeSettings = (brokers: ReadonlyArray<string>, overrides: Partial<KafkaSettings> = {}): KafkaSettings => {
  const topic = overrides.topic ?? defaultSettings.topic
  return { ...defaultSettings, deadLetterTopic: `${topic}.dlq`, brokers, ...overrides }
}

const invalid = invalidSetting
const checked = checkedSetting
const positiveInt = positiveIntSetting

const BROKER = /^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/

const portOf = (broker: string) => Number(broker.slice(broker.lastIndexOf(":") + 1))

export const parseBrokers = (raw: string): ReadonlyArray<string> | undefined => {
  const brokers = raw.split(",").map((b) => b.trim()).filter((b) => b.length > 0)
  // A port out of range would pass here and fail later inside kafkajs, far from the setting that caused it.
  return brokers.length > 0 && brokers.every((b) => BROKER.test(b) && portOf(b) >= 1 && portOf(b) <= 65535) ? brokers : undefined
}

const BROKERS_FORM = "comma-separated host:port pairs"

// Missing, it would read "Expected string": say what it needs instead.
const brokersSetting = Config.option(checked("KAFKA_BROKERS", BROKERS_FORM, parseBrokers)).pipe(
  Config.mapEffect((maybe) =>
    Option.isSome(maybe)
      ? Effect.succeed(maybe.value)
      : Effect.fail(invalid("KAFKA_BROKERS", `required (${BROKERS_FORM}, e.g. kafka-0:9092,kafka-1:9092)`)))
)

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/
const topicName = (name: string) => checked(name, "a topic name of letters, digits, '.', '_' and '-'", (raw) => TOPIC.test(raw) ? raw : undefined)

const sasl: Config.Config<SaslSettings | undefined> = Config.all({
  mechanism: Config.option(checked("KAFKA_SASL_MECHANISM", "plain | scram-sha-256 | scram-sha-512", (raw) => {
    const m = raw.toLowerCase()
    return m === "plain" || m === "scram-sha-256" || m === "scram-sha-512" ? m : undefined
  })),
  username: Config.option(Config.String("KAFKA_SASL_USERNAME")),
  password: Config.option(Config.Redacted("KAFKA_SASL_PASSWORD"))
}).pipe(Config.mapEffect(({ mechanism, password, username }): Effect.Effect<SaslSettings | undefined, Config.ConfigError> => {
  if (Option.isNone(mechanism)) {
    return Option.isSome(username) || Option.isSome(password)
      ? Effect.fail(invalid("KAFKA_SASL_MECHANISM", "is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set"))
      : Effect.succeed(undefined)
  }
  if (Option.isNone(username)) return Effect.fail(invalid("KAFKA_SASL_USERNAME", `is required with KAFKA_SASL_MECHANISM=${mechanism.value}`))
  if (Option.isNone(password)) return Effect.fail(invalid("KAFKA_SASL_PASSWORD", `is required with KAFKA_SASL_MECHANISM=${mechanism.value}`))
  return Effect.succeed({ mechanism: mechanism.value, username: username.value, password: password.value })
}))

const tls: Config.Config<TlsSettings | undefined> = Config.all({
  enabled: Config.Boolean("KAFKA_SSL").pipe(Config.withDefault(false)),
  caFile: Config.option(Config.String("KAFKA_SSL_CA_FILE")),
  rejectUnauthorized: Config.Boolean("KAFKA_SSL_REJECT_UNAUTHORIZED").pipe(Config.withDefault(true))
}).pipe(Config.mapEffect(({ caFile, enabled, rejectUnauthorized }): Effect.Effect<TlsSettings | undefined, Config.ConfigError> => {
  if (!enabled && Option.isNone(caFile)) return Effect.succeed(undefined)
  if (Option.isNone(caFile)) return Effect.succeed({ ca: undefined, rejectUnauthorized })
  return Effect.try({
    try: () => ({ ca: NodeFs.readFileSync(caFile.value, "utf8"), rejectUnauthorized }),
    catch: (e) => invalid("KAFKA_SSL_CA_FILE", `cannot read ${caFile.value}: ${String(e)}`)
  })
}))

/** Reads and validates every setting; a bad one fails with a message naming its variable. */
export const settingsConfig: Config.Config<KafkaSettings> = Config.all({
  brokers: brokersSetting,
  clientId: Config.String("AURORA_LOGS_KAFKA_CLIENT_ID").pipe(Config.withDefault(defaultSettings.clientId)),
  topic: topicName("AURORA_LOGS_KAFKA_TOPIC").pipe(Config.withDefault(defaultSettings.topic)),
  deadLetterTopic: Config.option(topicName("AURORA_LOGS_KAFKA_DLQ_TOPIC")),
  partitions: positiveInt("AURORA_LOGS_KAFKA_PARTITIONS").pipe(Config.withDefault(defaultSettings.partitions)),
  replication: Config.option(positiveInt("AURORA_LOGS_KAFKA_REPLICATION")),
  group: Config.NonEmptyString("AURORA_LOGS_KAFKA_GROUP").pipe(Config.withDefault(defaultSettings.group)),
  sessionTimeout: checked("AURORA_LOGS_KAFKA_SESSION_TIMEOUT", "a duration of at least 6s, such as 30s", (raw) => {
    const d = parseDuration(raw)
    return d !== undefined && Duration.toMillis(d) >= 6000 ? d : undefined
  }).pipe(Config.withDefault(defaultSettings.sessionTimeout)),
  consumerBufferBytes: positiveInt("AURORA_LOGS_KAFKA_CONSUMER_BUFFER_BYTES").pipe(Config.withDefault(defaultSettings.consumerBufferBytes)),
  tls,
  sasl
}).pipe(Config.map((s): KafkaSettings => ({
  ...s,
  deadLetterTopic: Option.getOrElse(s.deadLetterTopic, () => `${s.topic}.dlq`),
  replication: Option.getOrUndefined(s.replication)
})))
