/**
 * Trace context across the bus, as W3C `traceparent` headers: a block carries the span that downloaded and
 * published it, and the processor links its batch span to the spans of the blocks in the batch.
 */
import { Effect, Tracer } from "effect"

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The headers naming the current span, or none outside a span. */
export const currentTraceHeaders: Effect.Effect<Readonly<Record<string, string>> | undefined> = Effect.map(
  Effect.option(Effect.currentSpan),
  (span) => span._tag === "None" ? undefined : { traceparent: `00-${span.value.traceId}-${span.value.spanId}-${span.value.sampled ? "01" : "00"}` }
)

/** The span a `traceparent` header names, for a link. */
export const spanOfHeaders = (headers: Readonly<Record<string, string>> | undefined): Tracer.ExternalSpan | undefined => {
  const m = headers?.traceparent === undefined ? null : TRACEPARENT.exec(headers.traceparent)
  return m === null ? undefined : Tracer.externalSpan({ traceId: m[1], spanId: m[2], sampled: m[3] === "01" })
}
