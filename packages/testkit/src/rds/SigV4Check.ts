/**
 * Verification of an AWS Signature Version 4 `Authorization` header, written from the published algorithm and
 * independent of the SDK's signer, so the emulator catches a request the real endpoint would refuse (a wrong
 * canonical path for the complete-file REST call, a missing signed header, the wrong service or secret).
 */
import { createHash, createHmac } from "node:crypto"
import type * as Http from "node:http"
import { type AwsError } from "./QueryXml.ts"

export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex")
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest()

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters. */
const uriEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** Non-S3 services canonicalise each path segment encoded once more, as received. */
const canonicalPath = (path: string) => path.split("/").map(uriEncode).join("/")

const canonicalQuery = (query: string) =>
  query === ""
    ? ""
    : query
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=")
        const k = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq))
        const v = eq === -1 ? "" : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, " "))
        return [uriEncode(k), uriEncode(v)] as const
      })
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&")

const headerValue = (value: string | ReadonlyArray<string> | undefined) =>
  (Array.isArray(value) ? value.join(",") : (value as string | undefined) ?? "").trim().replace(/\s+/g, " ")

/** Undefined when the request is signed for `service` with one of `credentials`; the AWS error otherwise. */
export const verifySigV4 = (
  req: Http.IncomingMessage,
  body: Uint8Array,
  service: string,
  credentials: ReadonlyArray<Credentials>
): AwsError | undefined => {
  const authorization = req.headers.authorization
  if (authorization === undefined) {
    return { status: 403, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" }
  }
  const m = AUTHORIZATION.exec(authorization)
  if (m === null) {
    return { status: 403, code: "IncompleteSignature", message: "Authorization header requires a SigV4 Credential, SignedHeaders and Signature." }
  }
  const [, accessKeyId, date, region, signedService, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string, string]
  if (signedService !== service) {
    return { status: 403, code: "SignatureDoesNotMatch", message: `Credential should be scoped to correct service: '${service}'.` }
  }
  if (credentials.length === 0) return undefined
  const secret = credentials.find((c) => c.accessKeyId === accessKeyId)?.secretAccessKey
  if (secret === undefined) {
    return { status: 403, code: "InvalidClientTokenId", message: "The security token included in the request is invalid." }
  }
  const amzDate = headerValue(req.headers["x-amz-date"])
  const url = req.url ?? "/"
  const q = url.indexOf("?")
  const names = signedHeaders.split(";")
  if (!names.includes("host")) return { status: 403, code: "SignatureDoesNotMatch", message: "'Host' must be a signed header." }
  const canonicalRequest = [
    req.method ?? "GET",
    canonicalPath(q === -1 ? url : url.slice(0, q)),
    canonicalQuery(q === -1 ? "" : url.slice(q + 1)),
    names.map((name) => `${name}:${headerValue(req.headers[name])}\n`).join(""),
    signedHeaders,
    headerValue(req.headers["x-amz-content-sha256"]) || sha256(body)
  ].join("\n")
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n")
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request")
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex")
  return expected === signature
    ? undefined
    : {
      status: 403,
      code: "SignatureDoesNotMatch",
      message: "The request signature we calculated does not match the signature you provided."
    }
}
