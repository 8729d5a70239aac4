/**
 * How an answer of the RDS API (an SDK exception, an error document of the REST path, a network failure) becomes
 * an `RdsError` reason: the one place that knows the API's error codes.
 */
import {
  FileNotFound,
  InstanceNotFound,
  InstanceNotReady,
  RdsError,
  RdsRejected,
  RdsUnavailable,
  Throttled
} from "@aurora-logs/core"

const THROTTLING_CODES = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "RequestThrottled",
  "RequestThrottledException",
  "SlowDown"
])

export interface FailureContext {
  readonly operation: string
  readonly instance?: string
  readonly file?: string
}

/** Code, message and HTTP status of a failed call, whatever produced it. */
export interface FailureFacts {
  readonly code: string
  readonly message: string
  readonly status: number | undefined
}

export const factsOfSdkError = (error: unknown): FailureFacts => {
  const e = error as { name?: unknown; Code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown } }
  const code = typeof e?.Code === "string" ? e.Code : typeof e?.name === "string" ? e.name : "Unknown"
  const status = typeof e?.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined
  return { code, message: typeof e?.message === "string" ? e.message : String(error), status }
}

/** `InvalidParameterValue: This file contains binary data ...`: the portion API refuses; the REST path does not. */
export const isBinaryDataRefusal = (error: RdsError): boolean =>
  error.reason._tag === "RdsRejected" && error.reason.code === "InvalidParameterValue" && /binary data/i.test(error.reason.message)

export const toRdsError = (context: FailureContext, facts: FailureFacts): RdsError => {
  const instance = context.instance ?? ""
  const { code, message, status } = facts
  if (THROTTLING_CODES.has(code) || status === 429 || /rate exceeded/i.test(message)) {
    return new RdsError({ reason: new Throttled({ operation: context.operation }) })
  }
  switch (code) {
    case "DBInstanceNotReady":
    case "DBInstanceNotReadyFault":
      return new RdsError({ reason: new InstanceNotReady({ instance }) })
    case "DBLogFileNotFoundFault":
      return new RdsError({ reason: new FileNotFound({ instance, file: context.file ?? "" }) })
    case "DBInstanceNotFound":
    case "DBInstanceNotFoundFault":
      return new RdsError({ reason: new InstanceNotFound({ instance }) })
    case "CredentialsProviderError":
      // The provider chain can fail transiently (IMDS, the EKS Pod Identity agent, STS): worth another try.
      return new RdsError({ reason: new RdsUnavailable({ message: `${context.operation}: credentials: ${message}` }) })
  }
  if (status === undefined || status >= 500) {
    return new RdsError({ reason: new RdsUnavailable({ message: `${context.operation}: ${code}: ${message}` }) })
  }
  return new RdsError({ reason: new RdsRejected({ code, message: `${context.operation}: ${message}` }) })
}

/** The `<Code>` and `<Message>` of an AWS error document (the REST path answers with one). */
export const factsOfErrorDocument = (status: number, body: string): FailureFacts => {
  const pick = (tag: string) => new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1]
  const unescape = (s: string) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "'").replace(/&amp;/g, "&")
  return {
    code: unescape(pick("Code") ?? (status === 404 ? "DBLogFileNotFoundFault" : `Http${status}`)),
    message: unescape(pick("Message") ?? body.slice(0, 200)),
    status
  }
}
