/**
 * Traces and metrics through the OpenTelemetry Node SDK (via @effect/opentelemetry), exported by OTLP over HTTP
 * when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporters
 * read the other `OTEL_*` variables (headers, timeouts) themselves. Without an endpoint nothing is exported and the
 * spans cost next to nothing. The SDK and its exporters are loaded only when there is an endpoint (they hold tens
 * of megabytes of memory).
 */
import { Config, Effect, Layer } from "effect"

const VERSION = "0.1.0"

/** The telemetry of one command (`service.name` defaults to `aurora-logs-<command>`). */
export const telemetryLayer = (command: string) =>
  Layer.unwrap(Effect.gen(function*() {
    const endpoint = yield* Config.String("OTEL_EXPORTER_OTLP_ENDPOINT").pipe(
      Config.orElse(() => Config.String("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")),
      Config.option
    )
    if (endpoint._tag === "None") return Layer.empty
    const serviceName = yield* Config.String("OTEL_SERVICE_NAME").pipe(Config.withDefault(`aurora-logs-${command}`))
    const metricsInterval = yield* Config.Int("OTEL_METRIC_EXPORT_INTERVAL").pipe(Config.withDefault(60_000))
    const [NodeSdk, { OTLPMetricExporter }, { OTLPTraceExporter }, { PeriodicExportingMetricReader }, { BatchSpanProcessor }] = yield* Effect.promise(
      () =>
        Promise.all([
          import("@effect/opentelemetry/NodeSdk"),
          import("@opentelemetry/exporter-metrics-otlp-http"),
          import("@opentelemetry/exporter-trace-otlp-http"),
          import("@opentelemetry/sdk-metrics"),
          import("@opentelemetry/sdk-trace-base")
        ])
    )
    return NodeSdk.layer(() => ({
      resource: { serviceName, serviceVersion: VERSION },
      spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 }),
      metricReader: new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: metricsInterval })
    }))
  }))
