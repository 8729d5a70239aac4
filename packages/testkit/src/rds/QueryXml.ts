/**
 * The XML side of the AWS Query protocol as the RDS API answers: result envelopes in the RDS namespace and the
 * `ErrorResponse` document the SDK turns into typed exceptions.
 */
import { randomUUID } from "node:crypto"

export const RDS_NAMESPACE = "http://rds.amazonaws.com/doc/2014-10-31/"

/**
 * Escapes text for an XML text node. Carriage returns are written as a character reference because an XML parser
 * normalises a literal CR LF to LF, and a log line's bytes must come back exactly.
 */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"'\r]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === "\"" ? "&quot;" : c === "'" ? "&apos;" : "&#13;")

/** True when the text holds a character XML 1.0 cannot carry, which the real API refuses as binary data. */
export const hasNonXmlCharacters = (text: string): boolean =>
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text)

/** A tiny element builder: `el("Size", 12)`; arrays and nested elements are passed already rendered. */
export const el = (name: string, content: string | number | boolean | undefined): string =>
  content === undefined ? "" : `<${name}>${typeof content === "string" ? content : String(content)}</${name}>`

export const text = (name: string, content: string | undefined): string =>
  content === undefined ? "" : el(name, escapeXml(content))

export const resultDocument = (action: string, result: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${RDS_NAMESPACE}"><${action}Result>${result}</${action}Result>` +
  `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`

export interface AwsError {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly type?: "Sender" | "Receiver"
}

export const errorDocument = (error: AwsError): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${RDS_NAMESPACE}"><Error><Type>${error.type ?? "Sender"}</Type>` +
  `${text("Code", error.code)}${text("Message", error.message)}</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`

/** The errors the log API is known to answer with, with the codes and statuses the SDK's model expects. */
export const Errors = {
  throttling: (): AwsError => ({ status: 400, code: "Throttling", message: "Rate exceeded" }),
  fileNotFound: (instance: string, file: string): AwsError => ({
    status: 404,
    code: "DBLogFileNotFoundFault",
    message: `DBLog File: ${file}, is not found on the DB instance ${instance}`
  }),
  instanceNotFound: (instance: string): AwsError => ({
    status: 404,
    code: "DBInstanceNotFound",
    message: `DBInstance ${instance} not found.`
  }),
  instanceNotReady: (instance: string): AwsError => ({
    status: 400,
    code: "DBInstanceNotReady",
    message: `DB instance ${instance} is not in a state to serve log files (paused).`
  }),
  binaryData: (): AwsError => ({
    status: 400,
    code: "InvalidParameterValue",
    message: "This file contains binary data and should be downloaded instead of viewed."
  }),
  invalidParameter: (message: string): AwsError => ({ status: 400, code: "InvalidParameterValue", message }),
  invalidAction: (action: string): AwsError => ({
    status: 400,
    code: "InvalidAction",
    message: `The action ${action} is not valid for this web service.`
  })
} as const
