/**
 * Everything the OpenObserve sink can be told, with the defaults it uses, read from the environment through
 * `Config` (`OPENOBSERVE_*`). docs/openobserve.md explains each setting and how the defaults were chosen.
 */
import { Config, ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import {
  checkedSetting,
  DEFAULT_STREAM_TEMPLATE,
  durationSetting,
  invalidSetting,
  literalSetting,
  nonNegativeIntSetting,
  parseByteSize,
  positiveIntSetting
} from "@aurora-logs/core"

export { parseByteSize as parseBytes, parseDuration } from "@aurora-logs/core"

export type IngestEndpoint = "bulk" | "json" | "multi"
export type Compression = "gzip" | "zstd" | "none"
/**
 * What to do with a record older than the ingestion window: `ingest-time` ships it with `_timestamp` set to the
 * ingest time and the original kept in `original_timestamp`; `keep` keeps `_timestamp` (for an operator who raised
 * `ZO_INGEST_ALLOWED_UPTO` and told us) and sends what is still outside the window to the dead-letter path.
 */
export type BackfillMode = "ingest-time" | "keep"

export type Credentials =
  | { readonly _tag: "Basic"; readonly user: string; readonly password: Redacted.Redacted<string> }
  /** A pre-encoded `Authorization: Basic ...` token, as OpenObserve's UI shows it for ingestion. */
  | { readonly _tag: "Token"; readonly token: Redacted.Redacted<string> }

export interface OpenObserveSettings {
  /** Base URL, e.g. `http://openobserve:5080`. */
  readonly url: string
  readonly org: string
  readonly credentials: Credentials | undefined
  readonly endpoint: IngestEndpoint
  /** Placeholders `{source}`, `{engine}`, `{log_type}`, `{cluster}`, `{instance}`, `{region}`. */
  readonly streamTemplate: string
  readonly compression: Compression
  readonly compressionLevel: number
  /** Uncompressed bytes per request: a batch the pipeline hands over that is larger goes out as several requests. */
  readonly maxRequestBytes: number
  readonly maxRequestRecords: number
  /** Requests in flight at once within one `ship`. */
  readonly concurrency: number
  readonly requestTimeout: Duration.Duration
  readonly retryInitialDelay: Duration.Duration
  readonly retryMaxDelay: Duration.Duration
  /** Attempts per request before `ship` fails with a retryable error; 0 retries without end (back-pressure). */
  readonly maxAttempts: number
  /** Consecutive failed requests that open the circuit. */
  readonly breakerThreshold: number
  /** How long the circuit stays open the first time; doubled at each reopening, up to `breakerMaxOpen`. */
  readonly breakerOpen: Duration.Duration
  readonly breakerMaxOpen: Duration.Duration
  /** OpenObserve's `ZO_INGEST_ALLOWED_UPTO`. */
  readonly ingestWindow: Duration.Duration
  /** OpenObserve's `ZO_INGEST_ALLOWED_IN_FUTURE`. */
  readonly futureWindow: Duration.Duration
  /** Records this close to the window's edge count as outside it: they may be sent late, after retries. */
  readonly windowMargin: Duration.Duration
  readonly backfill: BackfillMode
}

export const defaultSettings = {
  org: "default",
  endpoint: "bulk",
  streamTemplate: DEFAULT_STREAM_TEMPLATE,
  compression: "zstd",
  compressionLevel: 1,
  maxRequestBytes: 4 * 1024 * 1024,
  maxRequestRecords: 5000,
  concurrency: 4,
  requestTimeout: Duration.seconds(30),
  retryInitialDelay: Duration.millis(200),
  retryMaxDelay: Duration.seconds(30),
  maxAttempts: 0,
  breakerThreshold: 5,
  breakerOpen: Duration.seconds(5),
  breakerMaxOpen: Duration.minutes(2),
  ingestWindow: Duration.hours(5),
  futureWindow: Duration.hours(24),
  windowMargin: Duration.minutes(10),
  backfill: "ingest-time"
} as const satisfies Omit<OpenObserveSettings, "url" | "credentials">

/** Settings with every default filled in: only the URL and credentials are needed. */
export const makeSettings = (
  required: Pick<OpenObserveSettings, "url" | "credentials">,
  overrides: Partial<OpenObserveSettings> = {}
): OpenObserveSettings => ({ ...defaultSettings, ...required, ...overrides })

const invalid = invalidSetting
const checked = checkedSetting
const positiveInt = positiveIntSetting
const nonNegativeInt = nonNegativeIntSetting
const duration = durationSetting

const literal = literalSetting

const orDefault = <A>(config: Config.Config<A>, fallback: A) => config.pipe(Config.withDefault(fallback))

const credentials: Config.Config<Credentials | undefined> = Config.all({
  user: Config.option(Config.String("OPENOBSERVE_USER")),
  password: Config.option(Config.Redacted("OPENOBSERVE_PASSWORD")),
  token: Config.option(Config.Redacted("OPENOBSERVE_TOKEN"))
}).pipe(Config.mapEffect(({ password, token, user }): Effect.Effect<Credentials | undefined, Config.ConfigError> => {
  if (Option.isSome(token)) return Effect.succeed({ _tag: "Token", token: token.value })
  if (Option.isSome(user) && Option.isSome(password)) return Effect.succeed({ _tag: "Basic", user: user.value, password: password.value })
  if (Option.isSome(user) || Option.isSome(password)) {
    return Effect.fail(Option.isSome(user)
      ? invalid("OPENOBSERVE_PASSWORD", "required when OPENOBSERVE_USER is set")
      : invalid("OPENOBSERVE_USER", "required when OPENOBSERVE_PASSWORD is set"))
  }
  return Effect.succeed(undefined)
}))

const URL_FORM = "an http(s) URL such as http://openobserve:5080"

const url = checked("OPENOBSERVE_URL", URL_FORM, (raw) => {
  try {
    const parsed = new URL(raw)
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? raw.replace(/\/+$/, "") : undefined
  } catch {
    return undefined
  }
})

/** Every sink setting but the URL, from `OPENOBSERVE_*` variables, defaults filled in. */
const tuning = Config.all({
  org: orDefault(checked("OPENOBSERVE_ORG", "an organisation name", (raw) => raw === "" ? undefined : raw), defaultSettings.org),
  credentials,
  endpoint: orDefault(literal("OPENOBSERVE_ENDPOINT", ["bulk", "json", "multi"] as const), defaultSettings.endpoint),
  streamTemplate: orDefault(
    checked("OPENOBSERVE_STREAM_TEMPLATE", "a template such as aurora_{source}", (raw) => raw === "" ? undefined : raw),
    defaultSettings.streamTemplate
  ),
  compression: orDefault(literal("OPENOBSERVE_COMPRESSION", ["gzip", "zstd", "none"] as const), defaultSettings.compression),
  compressionLevel: orDefault(
    checked("OPENOBSERVE_COMPRESSION_LEVEL", "an integer from 1 to 9 (gzip) or 1 to 19 (zstd)", (raw) =>
      /^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 19 ? Number(raw) : undefined),
    defaultSettings.compressionLevel
  ),
  maxRequestBytes: orDefault(
    checked("OPENOBSERVE_REQUEST_MAX_BYTES", "a size such as 4MiB", (raw) => {
      const bytes = parseByteSize(raw)
      return bytes !== undefined && bytes >= 1024 ? bytes : undefined
    }),
    defaultSettings.maxRequestBytes
  ),
  maxRequestRecords: orDefault(positiveInt("OPENOBSERVE_REQUEST_MAX_RECORDS"), defaultSettings.maxRequestRecords),
  concurrency: orDefault(positiveInt("OPENOBSERVE_CONCURRENCY"), defaultSettings.concurrency),
  requestTimeout: orDefault(duration("OPENOBSERVE_REQUEST_TIMEOUT"), defaultSettings.requestTimeout),
  retryInitialDelay: orDefault(duration("OPENOBSERVE_RETRY_INITIAL_DELAY"), defaultSettings.retryInitialDelay),
  retryMaxDelay: orDefault(duration("OPENOBSERVE_RETRY_MAX_DELAY"), defaultSettings.retryMaxDelay),
  maxAttempts: orDefault(nonNegativeInt("OPENOBSERVE_RETRY_MAX_ATTEMPTS"), defaultSettings.maxAttempts),
  breakerThreshold: orDefault(positiveInt("OPENOBSERVE_BREAKER_THRESHOLD"), defaultSettings.breakerThreshold),
  breakerOpen: orDefault(duration("OPENOBSERVE_BREAKER_OPEN"), defaultSettings.breakerOpen),
  breakerMaxOpen: orDefault(duration("OPENOBSERVE_BREAKER_MAX_OPEN"), defaultSettings.breakerMaxOpen),
  ingestWindow: orDefault(duration("OPENOBSERVE_INGEST_WINDOW"), defaultSettings.ingestWindow),
  futureWindow: orDefault(duration("OPENOBSERVE_FUTURE_WINDOW"), defaultSettings.futureWindow),
  windowMargin: orDefault(duration("OPENOBSERVE_WINDOW_MARGIN"), defaultSettings.windowMargin),
  backfill: orDefault(literal("OPENOBSERVE_BACKFILL", ["ingest-time", "keep"] as const), defaultSettings.backfill)
})

/** The sink's settings; fails (naming the variable) when `OPENOBSERVE_URL` is missing or any setting is malformed. */
export const settingsConfig: Config.Config<OpenObserveSettings> = Config.all({
  url: Config.option(url).pipe(Config.mapEffect((maybe) =>
    Option.isSome(maybe) ? Effect.succeed(maybe.value) : Effect.fail(invalid("OPENOBSERVE_URL", `required (${URL_FORM})`))
  )),
  tuning
}).pipe(Config.map(({ tuning, url }) => ({ ...tuning, url })))

/** The sink's settings when `OPENOBSERVE_URL` is set, none when it is not; malformed settings still fail. */
export const optionalSettingsConfig: Config.Config<Option.Option<OpenObserveSettings>> = Config.option(url).pipe(
  Config.flatMap((maybeUrl) =>
    Option.isNone(maybeUrl)
      ? Config.succeed(Option.none())
      : tuning.pipe(Config.map((t) => Option.some({ ...t, url: maybeUrl.value })))
  )
)
