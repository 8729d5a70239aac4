/**
 * Traces and metrics through the OpenTelemetry Node SDK (via @effect/opentelemetry), exported by OTLP over HTTP
 * when the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; the exporters
 * read the other `OTEL_*` variables (headers, timeouts) themselves. Without an endpoint nothing is exported and the
 * spans cost next to nothing.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
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
    return NodeSdk.layer(() => ({
      resource: { serviceName, serviceVersion: VERSION },
      spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 1000 }),
      metricReader: new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: metricsInterval })
    }))
  }))
