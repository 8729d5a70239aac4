/**
 * DownloadCompleteDBLogFile: the REST call no SDK wraps, `GET /v13/downloadCompleteLogFile/{instance}/{file}` on the
 * RDS endpoint, streaming the whole file.
 *
 * The request goes where the RDS client's own requests go (the endpoint the SDK resolves, so `AWS_ENDPOINT_URL_RDS`
 * and FIPS/dual-stack settings apply) and is signed with the SDK's signer (`@smithy/signature-v4`) using the RDS
 * client's credentials and region, so every credential source of the provider chain works unchanged.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import { Sha256 } from "@aws-crypto/sha256-js"
import { DescribeDBLogFilesCommand, type RDSClient } from "@aws-sdk/client-rds"
import { HttpRequest } from "@smithy/protocol-http"
import { SignatureV4 } from "@smithy/signature-v4"

export interface ResolvedEndpoint {
  readonly protocol: string
  readonly hostname: string
  readonly port: number | undefined
  /** Path prefix of a custom endpoint, without the trailing slash. */
  readonly basePath: string
}

class EndpointProbe {
  readonly endpoint: ResolvedEndpoint
  constructor(endpoint: ResolvedEndpoint) {
    this.endpoint = endpoint
  }
}

/**
 * The endpoint the SDK resolves for this client: a command is built up to the request stage and stopped there,
 * before signing and sending, so nothing goes over the network.
 */
export const resolveEndpoint = async (client: RDSClient): Promise<ResolvedEndpoint> => {
  const command = new DescribeDBLogFilesCommand({ DBInstanceIdentifier: "endpoint-probe" })
  command.middlewareStack.add(
    () => (args) => {
      const request = args.request as HttpRequest
      throw new EndpointProbe({
        protocol: request.protocol,
        hostname: request.hostname,
        port: request.port,
        basePath: request.path.replace(/\/+$/, "")
      })
    },
    { step: "build", name: "auroraLogsEndpointProbe", priority: "low" }
  )
  try {
    await client.send(command)
  } catch (e) {
    if (e instanceof EndpointProbe) return e.endpoint
    throw e
  }
  throw new Error("the RDS client sent a request while resolving its endpoint")
}

const encodePath = (instance: string, file: string) =>
  `/v13/downloadCompleteLogFile/${encodeURIComponent(instance)}/${file.split("/").map(encodeURIComponent).join("/")}`

/** Opens the signed GET; the caller owns the response (destroy it to stop the download). */
export const openCompleteLogFile = async (
  client: RDSClient,
  endpoint: ResolvedEndpoint,
  instance: string,
  file: string,
  signal: AbortSignal
): Promise<Http.IncomingMessage> => {
  const region = await client.config.region()
  const signer = new SignatureV4({
    credentials: client.config.credentials,
    region,
    service: "rds",
    sha256: Sha256
  })
  const defaultPort = endpoint.protocol === "https:" ? 443 : 80
  const host = endpoint.port === undefined || endpoint.port === defaultPort ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`
  const request = new HttpRequest({
    method: "GET",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
    path: `${endpoint.basePath}${encodePath(instance, file)}`,
    headers: { host }
  })
  const signed = await signer.sign(request)
  const transport = endpoint.protocol === "https:" ? Https : Http
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        method: "GET",
        hostname: endpoint.hostname,
        port: endpoint.port ?? defaultPort,
        path: signed.path,
        headers: signed.headers,
        signal
      },
      resolve
    )
    req.on("error", reject)
    req.end()
  })
}

export const readBody = async (response: Http.IncomingMessage, limit = 65_536): Promise<string> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk)
    size += chunk.length
  }
  return Buffer.concat(chunks).toString("utf8")
}

/** The body from byte `from` on, as plain byte arrays. */
export async function* bytesFrom(response: AsyncIterable<Buffer>, from: number): AsyncGenerator<Uint8Array> {
  let skip = from
  for await (const chunk of response) {
    if (skip >= chunk.length) {
      skip -= chunk.length
      continue
    }
    const view = new Uint8Array(chunk.buffer, chunk.byteOffset + skip, chunk.length - skip)
    skip = 0
    yield view
  }
}
