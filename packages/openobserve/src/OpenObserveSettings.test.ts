import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option, Redacted } from "effect"
import { defaultSettings, optionalSettingsConfig, parseBytes, parseDuration, settingsConfig } from "./OpenObserveSettings.ts"

const withEnv = (env: Record<string, string>) => Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnv({ env }))
const failureOf = <A>(effect: Effect.Effect<A, { readonly message: string }>) =>
  effect.pipe(Effect.flip, Effect.map((e) => e.message))

describe("OpenObserveSettings", () => {
  it.effect("only OPENOBSERVE_URL is needed; every other setting has its documented default", () =>
    Effect.gen(function*() {
      const settings = yield* settingsConfig.pipe(withEnv({ OPENOBSERVE_URL: "http://openobserve:5080/" }))
      assert.deepStrictEqual(settings, { ...defaultSettings, url: "http://openobserve:5080", credentials: undefined })
    }))

  it.effect("reads every knob", () =>
    Effect.gen(function*() {
      const settings = yield* settingsConfig.pipe(withEnv({
        OPENOBSERVE_URL: "https://o2.example.com",
        OPENOBSERVE_ORG: "prod",
        OPENOBSERVE_USER: "ingest@example.com",
        OPENOBSERVE_PASSWORD: "secret",
        OPENOBSERVE_ENDPOINT: "multi",
        OPENOBSERVE_STREAM_TEMPLATE: "db_{cluster}",
        OPENOBSERVE_COMPRESSION: "zstd",
        OPENOBSERVE_COMPRESSION_LEVEL: "3",
        OPENOBSERVE_REQUEST_MAX_BYTES: "8MiB",
        OPENOBSERVE_REQUEST_MAX_RECORDS: "2000",
        OPENOBSERVE_CONCURRENCY: "8",
        OPENOBSERVE_REQUEST_TIMEOUT: "10s",
        OPENOBSERVE_RETRY_INITIAL_DELAY: "100ms",
        OPENOBSERVE_RETRY_MAX_DELAY: "1 minute",
        OPENOBSERVE_RETRY_MAX_ATTEMPTS: "12",
        OPENOBSERVE_BREAKER_THRESHOLD: "10",
        OPENOBSERVE_BREAKER_OPEN: "2s",
        OPENOBSERVE_BREAKER_MAX_OPEN: "5m",
        OPENOBSERVE_INGEST_WINDOW: "72h",
        OPENOBSERVE_FUTURE_WINDOW: "1h",
        OPENOBSERVE_WINDOW_MARGIN: "1m",
        OPENOBSERVE_BACKFILL: "keep"
      }))
      assert.strictEqual(settings.org, "prod")
      assert.deepStrictEqual(settings.credentials?._tag, "Basic")
      assert.strictEqual(settings.credentials?._tag === "Basic" ? Redacted.value(settings.credentials.password) : "", "secret")
      assert.strictEqual(settings.endpoint, "multi")
      assert.strictEqual(settings.compression, "zstd")
      assert.strictEqual(settings.maxRequestBytes, 8 * 1024 * 1024)
      assert.strictEqual(Duration.toMillis(settings.retryMaxDelay), 60_000)
      assert.strictEqual(Duration.toHours(settings.ingestWindow), 72)
      assert.strictEqual(settings.backfill, "keep")
      assert.strictEqual(settings.maxAttempts, 12)
    }))

  it.effect("a token replaces user and password", () =>
    Effect.gen(function*() {
      const settings = yield* settingsConfig.pipe(withEnv({ OPENOBSERVE_URL: "http://o2:5080", OPENOBSERVE_TOKEN: "cm9vdDpwYXNz" }))
      assert.strictEqual(settings.credentials?._tag, "Token")
    }))

  it.effect("a malformed or missing setting fails with a message naming the variable and the expected form", () =>
    Effect.gen(function*() {
      assert.match(yield* failureOf(settingsConfig.pipe(withEnv({}))), /OPENOBSERVE_URL: required \(an http\(s\) URL/)
      const bad = (name: string, value: string) => failureOf(settingsConfig.pipe(withEnv({ OPENOBSERVE_URL: "http://o2:5080", [name]: value })))
      assert.match(yield* bad("OPENOBSERVE_ENDPOINT", "xml"), /OPENOBSERVE_ENDPOINT: expected bulk \| json \| multi, got "xml"/)
      assert.match(yield* bad("OPENOBSERVE_CONCURRENCY", "0"), /OPENOBSERVE_CONCURRENCY: expected a positive integer, got "0"/)
      assert.match(yield* bad("OPENOBSERVE_REQUEST_TIMEOUT", "soon"), /OPENOBSERVE_REQUEST_TIMEOUT: expected a duration/)
      assert.match(yield* bad("OPENOBSERVE_REQUEST_MAX_BYTES", "lots"), /OPENOBSERVE_REQUEST_MAX_BYTES: expected a size/)
      assert.match(yield* bad("OPENOBSERVE_USER", "me"), /OPENOBSERVE_PASSWORD: required when OPENOBSERVE_USER is set/)
      assert.match(yield* failureOf(settingsConfig.pipe(withEnv({ OPENOBSERVE_URL: "ftp://x" }))), /OPENOBSERVE_URL: expected an http\(s\) URL/)
    }))

  it.effect("optional: none without OPENOBSERVE_URL, the settings with it", () =>
    Effect.gen(function*() {
      assert.isTrue(Option.isNone(yield* optionalSettingsConfig.pipe(withEnv({ OPENOBSERVE_ORG: "x" }))))
      const some = yield* optionalSettingsConfig.pipe(withEnv({ OPENOBSERVE_URL: "http://o2:5080" }))
      assert.isTrue(Option.isSome(some))
    }))

  it("durations and sizes in the forms operators write", () => {
    assert.strictEqual(Duration.toMillis(parseDuration("250ms")!), 250)
    assert.strictEqual(Duration.toMillis(parseDuration("30s")!), 30_000)
    assert.strictEqual(Duration.toMillis(parseDuration("5 hours")!), 5 * 3_600_000)
    assert.strictEqual(Duration.toMillis(parseDuration("1500")!), 1500)
    assert.isUndefined(parseDuration("5 fortnights"))
    assert.strictEqual(parseBytes("4MiB"), 4 * 1024 * 1024)
    assert.strictEqual(parseBytes("500 kB"), 500_000)
    assert.strictEqual(parseBytes("1024"), 1024)
    assert.isUndefined(parseBytes("4 MiBs"))
  })
})
