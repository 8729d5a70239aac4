/**
 * Vitest global set-up: the Kafka suites need a broker. When `KAFKA_BROKERS` is not set and nothing answers on
 * 127.0.0.1:9092, the repository's own broker script starts one (and the tear-down stops it again), so the test
 * command works on a fresh machine with Java; a broker that was already running is left alone.
 */
import { execFileSync } from "node:child_process"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { reachable } from "@aurora-logs/kafka/testing/TestBroker"

const ROOT = fileURLToPath(new URL("../../", import.meta.url))

export default async function setup(): Promise<(() => void) | undefined> {
  if (process.env.KAFKA_BROKERS !== undefined || (await reachable("127.0.0.1:9092"))) return undefined
  process.stderr.write("no Kafka broker on 127.0.0.1:9092: starting one (scripts/kafka/start.sh)\n")
  execFileSync("bash", [NodePath.join(ROOT, "scripts", "kafka", "start.sh")], { stdio: "inherit", cwd: ROOT })
  return () => {
    execFileSync("bash", [NodePath.join(ROOT, "scripts", "kafka", "stop.sh")], { stdio: "inherit", cwd: ROOT })
  }
}
