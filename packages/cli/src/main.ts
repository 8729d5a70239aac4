/**
 * The `aurora-logs` entry point: picks the command, runs it on Node's runtime (SIGINT and SIGTERM interrupt it and
 * run every finalizer), and maps its end to an exit code.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import { DEMO_USAGE } from "./commands/DemoUsage.ts"
import { reportFailure } from "./ErrorReport.ts"
import { UsageError } from "./Flags.ts"

const USAGE = `usage: aurora-logs <command> [flags]

commands:
  ${DEMO_USAGE}
      the whole pipeline in one process on a simulated Aurora fleet (or the files of DIR)
  aurora-logs parse [--format auto|postgres|postgres-csv|postgres-json|mysql-error|mysql-slow|mysql-general|mysql-audit]
                    [--prefix LOG_LINE_PREFIX] [--stats] [--no-redact] [--max-record-bytes SIZE] FILE...
      parse local log files to NDJSON records (or a summary with --stats); - reads stdin, .gz is read transparently

  aurora-logs run
      one process against a real Aurora fleet (AWS SDK credentials and region), records to OpenObserve when
      OPENOBSERVE_URL is set; health and metrics on AURORA_LOGS_HTTP_PORT (9464)

  aurora-logs discovery
      the discovery service: RDS API -> Kafka, cursors and leases in DynamoDB (replicas share the fleet)
  aurora-logs processor
      the processing service: Kafka -> OpenObserve (OPENOBSERVE_URL), one consumer group

Settings come from environment variables: see docs/configuration.md.`

type Command = (argv: ReadonlyArray<string>) => Effect.Effect<number, unknown>

/**
 * A command's modules load when it runs: a processor then holds neither the AWS SDK nor the demo's fleet in memory
 * (about 70 MB of resident memory for the SDK alone).
 */
const commands: Record<string, () => Promise<Command>> = {
  demo: () => import("./commands/demo.ts").then((m) => m.demoCommand),
  parse: () => import("./commands/parse.ts").then((m) => m.parseCommand),
  run: () => import("./commands/run.ts").then((m) => m.runCommand),
  discovery: () => import("./commands/discovery.ts").then((m) => m.discoveryCommand),
  processor: () => import("./commands/processor.ts").then((m) => m.processorCommand)
}

const main = (argv: ReadonlyArray<string>): Effect.Effect<number, unknown> => {
  const [name, ...rest] = argv
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    return Effect.sync(() => {
      console.log(USAGE)
      return name === undefined ? 2 : 0
    })
  }
  const command = commands[name]
  if (command === undefined) return Effect.fail(new UsageError({ message: `aurora-logs: unknown command "${name}"; commands: ${Object.keys(commands).join(", ")}` }))
  return Effect.flatMap(Effect.promise(command), (run) => run(rest))
}

NodeRuntime.runMain(main(process.argv.slice(2)), {
  disableErrorReporting: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) return onExit(exit.value as number)
    if (Cause.hasInterruptsOnly(exit.cause)) return onExit(0)
    const { code, message } = reportFailure(exit.cause)
    process.stderr.write(`${message}\n`)
    onExit(code)
  }
})
