/**
 * `RdsLogs` on the real RDS API (@aws-sdk/client-rds), plus the signed REST call for complete files.
 *
 * Every call draws on the process's `ApiBudget` first. `Throttling` cuts the budget and is retried with jittered
 * backoff, as are network failures and 5xx answers; `DBLogFileNotFoundFault` (transient during rotation) is tried a
 * few more times before it is reported. The SDK's own retries are switched off so that no call bypasses the budget.
 * Credentials, region and endpoint come from the SDK's standard chain (`AWS_REGION`, `AWS_ENDPOINT_URL_RDS`,
 * IRSA, EKS Pod Identity, ...), unless a test passes its own client configuration.
 */
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBLogFilesCommand,
  DownloadDBLogFilePortionCommand,
  RDSClient,
  type RDSClientConfig
} from "@aws-sdk/client-rds"
import { Config, Duration, Effect, Layer, Schedule, Stream } from "effect"
import {
  type Instance,
  invalidSetting,
  type LogFileInfo,
  nonNegativeIntSetting,
  positiveIntSetting,
  RdsError,
  RdsLogs,
  RdsUnavailable
} from "@aurora-logs/core"
import { ApiBudget } from "./ApiBudget.ts"
import { bytesFrom, openCompleteLogFile, readBody, resolveEndpoint, type ResolvedEndpoint } from "./CompleteLogFile.ts"
import { allClusters, clusterSelected, type FleetFilter, fleetFilterConfig } from "./FleetFilter.ts"
import { makePortionReader, type Range, type RangeRequest, type RawPortion } from "./PortionReader.ts"
import { recordBytes, recordCall } from "./RdsMetrics.ts"
import { factsOfErrorDocument, factsOfSdkError, type FailureContext, toRdsError } from "./RdsFailure.ts"

export interface AwsRdsLogsOptions {
  /** Passed to `new RDSClient(...)`: tests set `endpoint`, `region`, `credentials`; production leaves it empty. */
  readonly client?: RDSClientConfig
  readonly filter?: FleetFilter
  /** Tries after a throttled, failed (network, 5xx) call. Default 6. */
  readonly maxRetries?: number
  /** First backoff after a throttled or failed call; doubles, jittered. Default 250 ms. */
  readonly retryBase?: Duration.Input
  /** Tries after `DBLogFileNotFoundFault` before it is reported. Default 2. */
  readonly fileNotFoundRetries?: number
  readonly fileNotFoundDelay?: Duration.Input
  /** Lines asked per portion call at most. Default 10,000. */
  readonly portionLines?: number
  /** The API's cut; also the size of a page read from the complete download. Default 1 MB. */
  readonly portionBytes?: number
  /** Check each portion's length against its `N:OFFSET` markers and repair overlaps and gaps. Default true. */
  readonly verifyMarkers?: boolean
}

const AURORA_ENGINES = ["aurora-postgresql", "aurora-mysql"] as const

/**
 * Instance states in which the log API serves files. Anything else (creating, stopped, starting, rebooting,
 * deleting, failed, ...) is skipped for this scan: its cursors stay where they are and it is picked up again later.
 */
export const READABLE_STATES: ReadonlySet<string> = new Set([
  "available",
  "backing-up",
  "modifying",
  "configuring-log-exports",
  "configuring-enhanced-monitoring",
  "configuring-iam-database-auth",
  "storage-optimization",
  "maintenance",
  "upgrading"
])

const tagsOf = (list: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined) =>
  Object.fromEntries((list ?? []).flatMap((t) => (t.Key === undefined ? [] : [[t.Key, t.Value ?? ""] as const])))

// A missing or empty region is a setting to fix, not an outage: reported as one, naming the variable (exit code 2).
const noRegion = (e: unknown) =>
  invalidSetting("AWS_REGION", `required: the region of the fleet, e.g. eu-west-1, or a profile that has one (${e instanceof Error ? e.message : String(e)})`)

export const make = (options: AwsRdsLogsOptions = {}) =>
  Effect.gen(function*() {
    const budget = yield* ApiBudget
    const client = yield* Effect.acquireRelease(
      Effect.try({ try: () => new RDSClient({ ...options.client, maxAttempts: 1 }), catch: (e) => (/region/i.test(String(e)) ? noRegion(e) : e) })
        .pipe(Effect.orDie),
      (c) => Effect.sync(() => c.destroy())
    )
    const region = yield* Effect.tryPromise({ try: () => client.config.region(), catch: noRegion }).pipe(Effect.orDie)
    let endpoint: Promise<ResolvedEndpoint> | undefined
    const filter = options.filter ?? allClusters
    const maxRetries = options.maxRetries ?? 6
    const retryBase = options.retryBase ?? Duration.millis(250)

    const transientRetry = Schedule.min([Schedule.exponential(retryBase).pipe(Schedule.jittered), Schedule.spaced("20 seconds")])

    /** One API call: a token, the call, and the retries the failure deserves. */
    const call = <A>(context: FailureContext, send: (signal: AbortSignal) => Promise<A>) =>
      Effect.gen(function*() {
        yield* budget.take
        return yield* Effect.tryPromise({
          try: send,
          catch: (e) => (e instanceof RdsError ? e : toRdsError(context, factsOfSdkError(e)))
        }).pipe(
          Effect.tap(() => recordCall(context.operation, "ok")),
          Effect.tapError((e) => recordCall(context.operation, e.reason._tag))
        )
      }).pipe(
        Effect.tapError((e) => (e.reason._tag === "Throttled" ? budget.throttled : Effect.void)),
        Effect.retry({
          schedule: transientRetry,
          times: maxRetries,
          while: (e) => e.reason._tag === "Throttled" || e.reason._tag === "RdsUnavailable"
        }),
        Effect.retry({
          schedule: Schedule.spaced(options.fileNotFoundDelay ?? Duration.seconds(1)),
          times: context.file === undefined ? 0 : options.fileNotFoundRetries ?? 2,
          while: (e) => e.reason._tag === "FileNotFound"
        })
      )

    const paginate = <Page, Item>(
      context: FailureContext,
      send: (marker: string | undefined, signal: AbortSignal) => Promise<Page>,
      items: (page: Page) => ReadonlyArray<Item> | undefined,
      next: (page: Page) => string | undefined
    ) =>
      Effect.gen(function*() {
        const all: Array<Item> = []
        let marker: string | undefined
        do {
          const page = yield* call(context, (signal) => send(marker, signal))
          all.push(...(items(page) ?? []))
          marker = next(page)
        } while (marker !== undefined && marker !== "")
        return all
      })

    const listInstances = Effect.gen(function*() {
      const engineFilter = [{ Name: "engine", Values: [...AURORA_ENGINES] }]
      const clusters = yield* paginate(
        { operation: "DescribeDBClusters" },
        (Marker, abortSignal) => client.send(new DescribeDBClustersCommand({ Filters: engineFilter, Marker }), { abortSignal }),
        (page) => page.DBClusters,
        (page) => page.Marker
      )
      const instances = yield* paginate(
        { operation: "DescribeDBInstances" },
        (Marker, abortSignal) => client.send(new DescribeDBInstancesCommand({ Filters: engineFilter, Marker }), { abortSignal }),
        (page) => page.DBInstances,
        (page) => page.Marker
      )
      const byId = new Map(instances.map((i) => [i.DBInstanceIdentifier, i] as const))
      const result: Array<Instance> = []
      for (const cluster of clusters) {
        const engine = cluster.Engine === "aurora-postgresql" ? "postgres" : cluster.Engine === "aurora-mysql" ? "mysql" : undefined
        const id = cluster.DBClusterIdentifier
        if (engine === undefined || id === undefined) continue
        const clusterTags = tagsOf(cluster.TagList)
        if (!clusterSelected(filter, id, clusterTags)) continue
        for (const member of cluster.DBClusterMembers ?? []) {
          const instance = member.DBInstanceIdentifier === undefined ? undefined : byId.get(member.DBInstanceIdentifier)
          if (instance?.DBInstanceIdentifier === undefined || !READABLE_STATES.has(instance.DBInstanceStatus ?? "")) continue
          result.push({
            id: instance.DBInstanceIdentifier,
            cluster: id,
            engine,
            role: member.IsClusterWriter === true ? "writer" : "reader",
            region,
            tags: { ...clusterTags, ...tagsOf(instance.TagList) }
          })
        }
      }
      return result as ReadonlyArray<Instance>
    }).pipe(Effect.withSpan("RdsLogs.listInstances"))

    const listFiles = Effect.fn("RdsLogs.listFiles")(function*(instance: string) {
      const files = yield* paginate(
        { operation: "DescribeDBLogFiles", instance },
        (Marker, abortSignal) => client.send(new DescribeDBLogFilesCommand({ DBInstanceIdentifier: instance, Marker }), { abortSignal }),
        (page) => page.DescribeDBLogFiles,
        (page) => page.Marker
      )
      return files.flatMap((f): ReadonlyArray<LogFileInfo> =>
        f.LogFileName === undefined ? [] : [{ name: f.LogFileName, size: f.Size ?? 0, lastWritten: f.LastWritten ?? 0 }]
      )
    })

    const downloadComplete = (instance: string, file: string, from: number): Stream.Stream<Uint8Array, RdsError> => {
      const context: FailureContext = { operation: "DownloadCompleteDBLogFile", instance, file }
      // The open (with its retries and backoff) stays interruptible; once it succeeds the response is owned by the stream.
      const open = Effect.acquireRelease(
        Effect.interruptible(call(context, async (signal) => {
          endpoint ??= resolveEndpoint(client).catch((e) => {
            endpoint = undefined
            throw e
          })
          const response = await openCompleteLogFile(client, await endpoint, instance, file, signal)
          if (response.statusCode !== 200) {
            const body = await readBody(response)
            throw toRdsError(context, factsOfErrorDocument(response.statusCode ?? 0, body))
          }
          return response
        })),
        (response) => Effect.sync(() => response.destroy())
      )
      return Stream.unwrap(Effect.map(open, (response) =>
        Stream.fromAsyncIterable(bytesFrom(response, from), (e) =>
          new RdsError({ reason: new RdsUnavailable({ message: `DownloadCompleteDBLogFile ${instance}/${file}: ${String(e)}` }) })))).pipe(
          Stream.tap((chunk) => recordBytes("DownloadCompleteDBLogFile", chunk.length))
        )
    }

    const range = (instance: string, file: string, request: RangeRequest) =>
      Effect.gen(function*() {
        const chunks: Array<Uint8Array> = []
        let size = 0
        let stopped = false
        yield* downloadComplete(instance, file, request.from).pipe(
          Stream.runForEachWhile((chunk) =>
            Effect.sync(() => {
              chunks.push(chunk)
              size += chunk.length
              stopped = request.mode === "line" ? chunk.includes(10) : size >= request.maxBytes
              return !stopped
            })
          )
        )
        const all = Buffer.concat(chunks)
        if (!stopped) return { bytes: all, eof: true } satisfies Range
        if (request.mode === "line") return { bytes: all.subarray(0, all.indexOf(10) + 1), eof: false } satisfies Range
        const head = all.subarray(0, request.maxBytes)
        if (request.mode === "exact") return { bytes: head, eof: false } satisfies Range
        const lastNewline = head.lastIndexOf(10)
        return { bytes: lastNewline === -1 ? head : head.subarray(0, lastNewline + 1), eof: false } satisfies Range
      })

    const portion = (instance: string, file: string, marker: string, lines: number) =>
      Effect.map(
        call({ operation: "DownloadDBLogFilePortion", instance, file }, (abortSignal) =>
          client.send(
            new DownloadDBLogFilePortionCommand({ DBInstanceIdentifier: instance, LogFileName: file, Marker: marker, NumberOfLines: lines }),
            { abortSignal }
          )),
        (answer): RawPortion => ({ data: answer.LogFileData ?? "", marker: answer.Marker, pending: answer.AdditionalDataPending === true })
      ).pipe(Effect.tap((raw) => recordBytes("DownloadDBLogFilePortion", Buffer.byteLength(raw.data))))

    const reader = makePortionReader({ portion, range }, {
      maxLines: options.portionLines ?? 10_000,
      portionBytes: options.portionBytes ?? 1_048_576,
      verifyMarkers: options.verifyMarkers ?? true
    })

    return RdsLogs.of({ listInstances, listFiles, downloadPortion: reader.read, downloadComplete })
  })

/** Needs an `ApiBudget` (one per process: provide the same one to everything that calls RDS). */
export const layer = (options: AwsRdsLogsOptions = {}): Layer.Layer<RdsLogs, never, ApiBudget> => Layer.effect(RdsLogs, make(options))

/**
 * Settings: the fleet filter (`AURORA_LOGS_CLUSTERS_INCLUDE`, `..._EXCLUDE`, `AURORA_LOGS_CLUSTER_TAGS_INCLUDE`,
 * `..._EXCLUDE`), `AURORA_LOGS_RDS_MAX_RETRIES` (6), `AURORA_LOGS_RDS_PORTION_LINES` (10000),
 * `AURORA_LOGS_RDS_VERIFY_MARKERS` (true), and the budget of `ApiBudget.layerConfig`. AWS settings are the SDK's own.
 */
export const layerConfig: Layer.Layer<RdsLogs, Config.ConfigError> = Layer.unwrap(
  Effect.gen(function*() {
    const settings = yield* Config.all({
      filter: fleetFilterConfig,
      maxRetries: nonNegativeIntSetting("AURORA_LOGS_RDS_MAX_RETRIES").pipe(Config.withDefault(6)),
      // Zero lines a portion would never move a cursor on.
      portionLines: positiveIntSetting("AURORA_LOGS_RDS_PORTION_LINES").pipe(Config.withDefault(10_000)),
      verifyMarkers: Config.Boolean("AURORA_LOGS_RDS_VERIFY_MARKERS").pipe(Config.withDefault(true))
    })
    return layer(settings)
  })
).pipe(Layer.provide(ApiBudget.layerConfig))
