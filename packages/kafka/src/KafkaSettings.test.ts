import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Redacted } from "effect"
import { kafkaConfig, planTopics } from "./KafkaClient.ts"
import { makeSettings, settingsConfig } from "./KafkaSettings.ts"

const read = (env: Record<string, string>) => settingsConfig.parse(ConfigProvider.fromEnvRecord(env))

describe("KafkaSettings", () => {
  it.effect("needs only KAFKA_BROKERS; everything else has a default", () =>
    Effect.gen(function*() {
      const s = yield* read({ KAFKA_BROKERS: " kafka-0:9092, kafka-1:9092 " })
      assert.deepStrictEqual(s.brokers, ["kafka-0:9092", "kafka-1:9092"])
      assert.strictEqual(s.topic, "aurora-logs.blocks")
      assert.strictEqual(s.deadLetterTopic, "aurora-logs.blocks.dlq")
      assert.strictEqual(s.partitions, 50)
      assert.strictEqual(s.replication, undefined)
      assert.strictEqual(s.group, "aurora-logs-processor")
      assert.strictEqual(Duration.toMillis(s.sessionTimeout), 30_000)
      assert.strictEqual(s.tls, undefined)
      assert.strictEqual(s.sasl, undefined)
    }))

  it.effect("a bad or missing setting fails with a message naming its variable", () =>
    Effect.gen(function*() {
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{}, /KAFKA_BROKERS: required \(comma-separated host:port pairs, e\.g\. kafka-0:9092,kafka-1:9092\)/],
        [{ KAFKA_BROKERS: "kafka" }, /KAFKA_BROKERS: expected comma-separated host:port/],
        [{ KAFKA_BROKERS: "127.0.0.1:99999" }, /KAFKA_BROKERS: expected comma-separated host:port pairs, got "127\.0\.0\.1:99999"/],
        [{ KAFKA_BROKERS: "k:0" }, /KAFKA_BROKERS: expected comma-separated host:port/],
        [{ KAFKA_BROKERS: "k:9092", AURORA_LOGS_KAFKA_PARTITIONS: "0" }, /AURORA_LOGS_KAFKA_PARTITIONS/],
        [{ KAFKA_BROKERS: "k:9092", AURORA_LOGS_KAFKA_TOPIC: "a b" }, /AURORA_LOGS_KAFKA_TOPIC/],
        [{ KAFKA_BROKERS: "k:9092", AURORA_LOGS_KAFKA_SESSION_TIMEOUT: "2s" }, /AURORA_LOGS_KAFKA_SESSION_TIMEOUT/],
        [{ KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "gssapi" }, /KAFKA_SASL_MECHANISM/],
        [{ KAFKA_BROKERS: "k:9092", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u" }, /KAFKA_SASL_PASSWORD/],
        [{ KAFKA_BROKERS: "k:9092", KAFKA_SASL_USERNAME: "u" }, /KAFKA_SASL_MECHANISM/],
        [{ KAFKA_BROKERS: "k:9092", KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" }, /KAFKA_SSL_CA_FILE/]
      ]
      for (const [env, message] of cases) {
        const error = yield* Effect.flip(read(env))
        assert.match(error.message, message, JSON.stringify(env))
      }
    }))

  it.effect("TLS and SASL reach the client; the password stays redacted in the settings", () =>
    Effect.gen(function*() {
      const s = yield* read({
        KAFKA_BROKERS: "k:9093",
        KAFKA_SSL: "true",
        KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
        KAFKA_SASL_USERNAME: "aurora",
        KAFKA_SASL_PASSWORD: "s3cret",
        AURORA_LOGS_KAFKA_REPLICATION: "3",
        AURORA_LOGS_KAFKA_DLQ_TOPIC: "dead"
      })
      assert.strictEqual(s.deadLetterTopic, "dead")
      assert.strictEqual(s.replication, 3)
      assert.notInclude(JSON.stringify(s), "s3cret")
      assert.notInclude(String(s.sasl?.password), "s3cret")
      assert.strictEqual(Redacted.value(s.sasl!.password), "s3cret")
      const config = kafkaConfig(s)
      assert.strictEqual(config.ssl, true)
      assert.deepStrictEqual(config.sasl, { mechanism: "scram-sha-512", username: "aurora", password: "s3cret" })
    }))

  it("replication: three replicas with two in sync by default, fewer on a smaller cluster", () => {
    const settings = makeSettings(["k:9092"])
    assert.deepStrictEqual(planTopics(settings, 5), { replication: 3, minInsyncReplicas: 2 })
    assert.deepStrictEqual(planTopics(settings, 1), { replication: 1, minInsyncReplicas: 1 })
    assert.deepStrictEqual(planTopics(makeSettings(["k:9092"], { replication: 2 }), 5), { replication: 2, minInsyncReplicas: 1 })
  })
})
