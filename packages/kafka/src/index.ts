/**
 * The Kafka layer of the log bus: `KafkaLogBus.layerConfig` gives `LogBus`, `DeadLetters` (the dead-letter topic)
 * and the `KafkaClient` they share, configured from the environment (docs/kafka.md).
 */
export * as BlockCodec from "./BlockCodec.ts"
export { KafkaClient, planTopics } from "./KafkaClient.ts"
export * as KafkaDeadLetters from "./KafkaDeadLetters.ts"
export * as KafkaLogBus from "./KafkaLogBus.ts"
export * from "./KafkaSettings.ts"
