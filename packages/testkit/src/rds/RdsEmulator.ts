/**
 * An RDS API emulator on loopback: the AWS Query protocol as @aws-sdk/client-rds speaks it (form-encoded POST,
 * XML answers in the RDS namespace, AWS error XML with the statuses the SDK's model expects) plus the REST path
 * `GET /v13/downloadCompleteLogFile/{instance}/{file}` that no SDK wraps.
 *
 * It serves a core `SimulatedFleet`, so files grow, rotate and expire while it runs. Clusters are derived from the
 * fleet's instances (engine, members, writer flag, tags); what the fleet does not model (cluster tags, instance
 * status) lives in the emulator's own overrides. The knobs reproduce the pitfalls of the real log API (see
 * docs/aws.md) and can be changed while it runs. Requests without a SigV4 Authorization header are refused, and
 * given the credentials, signatures are verified, so a client that signs wrongly is caught here, not in production.
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"
import type { Instance } from "@aurora-logs/core/domain/Instance"
import { markerOffset, type SimulatedFleet } from "@aurora-logs/core/rds/SimulatedFleet"
import { type AwsError, el, errorDocument, Errors, hasNonXmlCharacters, resultDocument, text } from "./QueryXml.ts"
import { type Credentials, verifySigV4 } from "./SigV4Check.ts"

export const TRUNCATION_SUFFIX = " [Your log message was truncated]"

/** Aurora engines come from the fleet; others (`neptune`, `docdb`, ...) only from `extraClusters`. */
export type ClusterEngine = "aurora-postgresql" | "aurora-mysql" | (string & {})

export interface EmulatedCluster {
  readonly id: string
  readonly engine: ClusterEngine
  readonly status: string
  readonly tags: Readonly<Record<string, string>>
  readonly members: ReadonlyArray<{ readonly instance: string; readonly writer: boolean }>
}

/** Pitfalls on demand. Every field may be changed while the emulator runs (`emulator.knobs.x = ...`). */
export interface Knobs {
  /** Every Nth Query call (1-based count over all actions) answers `Throttling`. 0 = off. */
  throttleEvery: number
  /** At most this many Query calls per second, the rest answer `Throttling`. 0 = unlimited. */
  throttleRate: number
  /** Whether throttling also applies to the complete-file REST path. */
  throttleComplete: boolean
  /** The complete-file REST path answers 500 (to test what happens when the fallback fails too). */
  completeUnavailable: boolean
  /** The cut of a portion answer; the real API cuts at 1 MB. */
  portionLimitBytes: number
  /** Lines a portion call returns when NumberOfLines is not given. */
  defaultLines: number
  /** Every Nth portion call starts one line before its marker (the same text twice). 0 = off. */
  overlapEvery: number
  /** Every Nth portion call leaves out its first line while its marker moves past it. 0 = off. */
  skipEvery: number
  /** Blank lines appended to every non-empty portion answer; the marker does not count them. */
  trailingBlankLines: number
  /** Portion answers say `AdditionalDataPending=false` even when more data follows. */
  pendingAlwaysFalse: boolean
  /** Files ("instance/file") whose portions are refused as binary data. */
  readonly binaryFiles: Set<string>
  /** Files ("instance/file") that answer `DBLogFileNotFoundFault` for the given number of calls. */
  readonly fileNotFoundCalls: Map<string, number>
  /** Instances that answer `DBInstanceNotReady` (a paused Serverless v2 instance). */
  readonly notReady: Set<string>
  /** On the next portion call for `instance/file` at a marker past 0, the file is rotated by rename first. */
  rotateOnRead: { readonly instance: string; readonly file: string; readonly renamedTo: string } | undefined
  /** Page size of DescribeDBClusters / DescribeDBInstances / DescribeDBLogFiles when MaxRecords is not given. */
  listPageSize: number
}

export const defaultKnobs = (): Knobs => ({
  throttleEvery: 0,
  throttleRate: 0,
  throttleComplete: false,
  completeUnavailable: false,
  portionLimitBytes: 1_048_576,
  defaultLines: 10_000,
  overlapEvery: 0,
  skipEvery: 0,
  trailingBlankLines: 0,
  pendingAlwaysFalse: false,
  binaryFiles: new Set(),
  fileNotFoundCalls: new Map(),
  notReady: new Set(),
  rotateOnRead: undefined,
  listPageSize: 100
})

export interface RdsEmulatorOptions {
  readonly fleet: SimulatedFleet
  /**
   * Credentials whose signatures are verified (cryptographically, as AWS does). Without them any well-formed SigV4
   * header for service `rds` is accepted, and only unsigned or malformed requests are refused.
   */
  readonly credentials?: ReadonlyArray<Credentials>
  readonly host?: string
  readonly port?: number
  /** Clock of the simulated fleet (rotation on read stamps the new file with it). */
  readonly now?: () => number
}

const NEWLINE = 10
const utf8 = new TextDecoder("utf-8", { fatal: true })

class Reply {
  readonly status: number
  readonly body: string
  constructor(status: number, body: string) {
    this.status = status
    this.body = body
  }
}
const fail = (error: AwsError) => new Reply(error.status, errorDocument(error))
const ok = (action: string, result: string) => new Reply(200, resultDocument(action, result))

export class RdsEmulator {
  readonly fleet: SimulatedFleet
  readonly knobs: Knobs = defaultKnobs()
  /** Calls served, by action (`DownloadCompleteLogFile` for the REST path), errors included. */
  readonly calls = new Map<string, number>()
  /** Cluster tags and status not modelled by the fleet. */
  readonly clusterTags = new Map<string, Record<string, string>>()
  readonly clusterStatus = new Map<string, string>()
  /** Clusters the fleet does not model, e.g. Neptune or DocumentDB, which DescribeDBClusters also lists. */
  readonly extraClusters: Array<EmulatedCluster> = []
  /** Instance status overrides (default "available"). */
  readonly instanceStatus = new Map<string, string>()
  private readonly server: Http.Server
  private readonly now: () => number
  private readonly credentials: ReadonlyArray<Credentials>
  private queryCalls = 0
  private portionCalls = 0
  private rateWindow = { second: 0, count: 0 }
  private constructor(server: Http.Server, options: RdsEmulatorOptions) {
    this.server = server
    this.fleet = options.fleet
    this.now = options.now ?? Date.now
    this.credentials = options.credentials ?? []
  }

  /** Starts on loopback (port 0 = any free port). */
  static start(options: RdsEmulatorOptions): Promise<RdsEmulator> {
    const server = Http.createServer()
    const emulator = new RdsEmulator(server, options)
    server.on("request", (req, res) => emulator.handle(req, res))
    return new Promise((resolve, reject) => {
      server.once("error", reject)
      server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve(emulator))
    })
  }

  /** The emulator as a scoped resource: stopped when the scope closes. */
  static scoped(options: RdsEmulatorOptions) {
    return Effect.acquireRelease(
      Effect.promise(() => RdsEmulator.start(options)),
      (emulator) => Effect.promise(() => emulator.stop())
    )
  }

  get url(): string {
    const address = this.server.address() as AddressInfo
    return `http://${address.address}:${address.port}`
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections()
      this.server.close(() => resolve())
    })
  }

  callCount(action: string): number {
    return this.calls.get(action) ?? 0
  }

  /** The clusters as DescribeDBClusters lists them: one per cluster id of the fleet's instances. */
  clusters(): ReadonlyArray<EmulatedCluster> {
    const byId = new Map<string, { engine: ClusterEngine; tags: Record<string, string>; members: Array<{ instance: string; writer: boolean }> }>()
    for (const instance of this.fleet.instances()) {
      let cluster = byId.get(instance.cluster)
      if (cluster === undefined) {
        cluster = { engine: instance.engine === "postgres" ? "aurora-postgresql" : "aurora-mysql", tags: {}, members: [] }
        byId.set(instance.cluster, cluster)
      }
      Object.assign(cluster.tags, instance.tags)
      cluster.members.push({ instance: instance.id, writer: instance.role === "writer" })
    }
    const derived = Array.from(byId, ([id, c]): EmulatedCluster => ({
      id,
      engine: c.engine,
      status: this.clusterStatus.get(id) ?? "available",
      tags: this.clusterTags.get(id) ?? c.tags,
      members: c.members
    }))
    return [...derived, ...this.extraClusters]
  }

  private count(action: string) {
    this.calls.set(action, (this.calls.get(action) ?? 0) + 1)
  }

  private throttled(): boolean {
    this.queryCalls += 1
    if (this.knobs.throttleEvery > 0 && this.queryCalls % this.knobs.throttleEvery === 0) return true
    if (this.knobs.throttleRate > 0) {
      const second = Math.floor(Date.now() / 1000)
      if (this.rateWindow.second !== second) this.rateWindow = { second, count: 0 }
      this.rateWindow.count += 1
      if (this.rateWindow.count > this.knobs.throttleRate) return true
    }
    return false
  }

  private handle(req: Http.IncomingMessage, res: Http.ServerResponse) {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      try {
        const body = Buffer.concat(chunks)
        const signed = verifySigV4(req, body, "rds", this.credentials)
        if (req.method === "GET" && (req.url ?? "").startsWith("/v13/downloadCompleteLogFile/")) {
          this.count("DownloadCompleteLogFile")
          if (signed !== undefined) return send(res, fail(signed))
          return this.downloadComplete(req.url ?? "", res)
        }
        const params = new URLSearchParams(body.toString("utf8"))
        const action = params.get("Action") ?? ""
        this.count(action)
        if (signed !== undefined) return send(res, fail(signed))
        if (req.method !== "POST") return send(res, fail(Errors.invalidAction(req.method ?? "")))
        if (this.throttled()) return send(res, fail(Errors.throttling()))
        send(res, this.dispatch(action, params))
      } catch (e) {
        send(res, fail({ status: 500, code: "InternalFailure", message: String(e), type: "Receiver" }))
      }
    })
  }

  private dispatch(action: string, params: URLSearchParams): Reply {
    switch (action) {
      case "DescribeDBClusters":
        return this.describeClusters(params)
      case "DescribeDBInstances":
        return this.describeInstances(params)
      case "DescribeDBLogFiles":
        return this.describeLogFiles(params)
      case "DownloadDBLogFilePortion":
        return this.downloadPortion(params)
      default:
        return fail(Errors.invalidAction(action))
    }
  }

  private page<A>(items: ReadonlyArray<A>, params: URLSearchParams): { readonly items: ReadonlyArray<A>; readonly marker: string | undefined } {
    const size = Number(params.get("MaxRecords") ?? this.knobs.listPageSize)
    const start = Number(params.get("Marker") ?? "0")
    const end = start + size
    return { items: items.slice(start, end), marker: end < items.length ? String(end) : undefined }
  }

  private describeClusters(params: URLSearchParams): Reply {
    const id = params.get("DBClusterIdentifier")
    const engines = filterValues(params, "engine")
    let clusters = this.clusters()
    if (id !== null) {
      clusters = clusters.filter((c) => c.id === id)
      if (clusters.length === 0) return fail({ status: 404, code: "DBClusterNotFoundFault", message: `DBCluster ${id} not found.` })
    }
    if (engines !== undefined) clusters = clusters.filter((c) => engines.includes(c.engine))
    const { items, marker } = this.page(clusters, params)
    const body = items.map((c) =>
      el(
        "DBCluster",
        text("DBClusterIdentifier", c.id) + text("Engine", c.engine) + text("Status", c.status) +
          el("DBClusterMembers", c.members.map((m) => el("DBClusterMember", text("DBInstanceIdentifier", m.instance) + el("IsClusterWriter", m.writer))).join("")) +
          el("TagList", tagList(c.tags))
      )
    ).join("")
    return ok("DescribeDBClusters", el("DBClusters", body) + text("Marker", marker))
  }

  private describeInstances(params: URLSearchParams): Reply {
    const id = params.get("DBInstanceIdentifier")
    const clusterFilter = filterValues(params, "db-cluster-id")
    let instances: ReadonlyArray<Instance> = this.fleet.instances()
    if (id !== null) {
      instances = instances.filter((i) => i.id === id)
      if (instances.length === 0) return fail(Errors.instanceNotFound(id))
    }
    if (clusterFilter !== undefined) instances = instances.filter((i) => clusterFilter.includes(i.cluster))
    const { items, marker } = this.page(instances, params)
    const body = items.map((i) =>
      el(
        "DBInstance",
        text("DBInstanceIdentifier", i.id) + text("DBClusterIdentifier", i.cluster) +
          text("Engine", i.engine === "postgres" ? "aurora-postgresql" : "aurora-mysql") +
          text("DBInstanceStatus", this.instanceStatus.get(i.id) ?? "available") + text("AvailabilityZone", `${i.region}a`) +
          el("TagList", tagList(i.tags))
      )
    ).join("")
    return ok("DescribeDBInstances", el("DBInstances", body) + text("Marker", marker))
  }

  private describeLogFiles(params: URLSearchParams): Reply {
    const instance = params.get("DBInstanceIdentifier") ?? ""
    if (this.knobs.notReady.has(instance)) return fail(Errors.instanceNotReady(instance))
    const all = this.fleet.files(instance)
    if (all === undefined) return fail(Errors.instanceNotFound(instance))
    const contains = params.get("FilenameContains")
    const since = params.get("FileLastWritten")
    const minSize = params.get("FileSize")
    const files = all
      .filter((f) => contains === null || f.name.includes(contains))
      .filter((f) => since === null || f.lastWritten > Number(since))
      .filter((f) => minSize === null || f.size > Number(minSize))
      .toSorted((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const { items, marker } = this.page(files, params)
    const body = items.map((f) =>
      el("DescribeDBLogFilesDetails", text("LogFileName", f.name) + el("LastWritten", f.lastWritten) + el("Size", f.size))
    ).join("")
    return ok("DescribeDBLogFiles", el("DescribeDBLogFiles", body) + text("Marker", marker))
  }

  private fileGate(instance: string, file: string): AwsError | undefined {
    if (this.knobs.notReady.has(instance)) return Errors.instanceNotReady(instance)
    if (this.fleet.files(instance) === undefined) return Errors.instanceNotFound(instance)
    const key = `${instance}/${file}`
    const missing = this.knobs.fileNotFoundCalls.get(key) ?? 0
    if (missing > 0) {
      this.knobs.fileNotFoundCalls.set(key, missing - 1)
      return Errors.fileNotFound(instance, file)
    }
    if (this.fleet.bytes(instance, file) === undefined) return Errors.fileNotFound(instance, file)
    return undefined
  }

  private downloadPortion(params: URLSearchParams): Reply {
    const instance = params.get("DBInstanceIdentifier") ?? ""
    const file = params.get("LogFileName") ?? ""
    const marker = params.get("Marker")
    const linesParam = params.get("NumberOfLines")
    const rotate = this.knobs.rotateOnRead
    if (rotate !== undefined && rotate.instance === instance && rotate.file === file && marker !== null && markerOffset(marker) > 0) {
      this.knobs.rotateOnRead = undefined
      this.fleet.rotateByRename(instance, file, rotate.renamedTo, this.now())
    }
    const gate = this.fileGate(instance, file)
    if (gate !== undefined) return fail(gate)
    if (linesParam !== null && !(Number(linesParam) >= 1)) return fail(Errors.invalidParameter("NumberOfLines must be positive"))
    if (this.knobs.binaryFiles.has(`${instance}/${file}`)) return fail(Errors.binaryData())
    this.portionCalls += 1
    const bytes = this.fleet.bytes(instance, file) as Uint8Array
    const lines = linesParam === null ? this.knobs.defaultLines : Number(linesParam)
    // Without a marker the API answers the last lines of the file; with one, the lines that follow it.
    let start: number
    let end: number
    if (marker === null) {
      end = bytes.length
      start = lineStartBackwards(bytes, end, lines)
    } else {
      start = markerOffset(marker)
      if (start > bytes.length) {
        return ok("DownloadDBLogFilePortion", text("LogFileData", "") + text("Marker", marker) + el("AdditionalDataPending", false))
      }
      end = lineEndForwards(bytes, start, lines)
    }
    let from = start
    if (this.knobs.overlapEvery > 0 && this.portionCalls % this.knobs.overlapEvery === 0 && start > 0) {
      from = lineStartBackwards(bytes, start, 1)
    }
    if (this.knobs.skipEvery > 0 && this.portionCalls % this.knobs.skipEvery === 0 && end > start) {
      from = Math.min(lineEndForwards(bytes, start, 1), end)
    }
    let data: string
    const chunk = bytes.subarray(from, end)
    try {
      data = utf8.decode(chunk.length > this.knobs.portionLimitBytes ? chunk.subarray(0, this.knobs.portionLimitBytes) : chunk)
    } catch {
      // A cut inside a multi-byte character still decodes leniently; anything else is not text.
      if (chunk.length > this.knobs.portionLimitBytes) data = Buffer.from(chunk.subarray(0, this.knobs.portionLimitBytes)).toString("utf8")
      else return fail(Errors.binaryData())
    }
    if (hasNonXmlCharacters(data)) return fail(Errors.binaryData())
    if (chunk.length > this.knobs.portionLimitBytes) {
      // The real API keeps the marker of the full answer, so a client that accepts a cut page loses the rest.
      data += TRUNCATION_SUFFIX
    } else if (data.length > 0 && this.knobs.trailingBlankLines > 0) {
      data += "\n".repeat(this.knobs.trailingBlankLines)
    }
    const pending = !this.knobs.pendingAlwaysFalse && end < bytes.length
    return ok(
      "DownloadDBLogFilePortion",
      text("LogFileData", data) + text("Marker", `${this.portionMarkerPrefix(file)}:${end}`) + el("AdditionalDataPending", pending)
    )
  }

  /** Markers look like `N:OFFSET`; N is opaque to clients. */
  private portionMarkerPrefix(file: string): string {
    return String(file.length % 23)
  }

  private downloadComplete(url: string, res: Http.ServerResponse) {
    const rest = url.slice("/v13/downloadCompleteLogFile/".length).split("?")[0] ?? ""
    const slash = rest.indexOf("/")
    const instance = decodeURIComponent(slash === -1 ? rest : rest.slice(0, slash))
    const file = slash === -1 ? "" : rest.slice(slash + 1).split("/").map(decodeURIComponent).join("/")
    if (this.knobs.throttleComplete && this.throttled()) return send(res, fail(Errors.throttling()))
    if (this.knobs.completeUnavailable) {
      return send(res, fail({ status: 500, code: "InternalFailure", message: "complete download unavailable", type: "Receiver" }))
    }
    const gate = this.fileGate(instance, file)
    if (gate !== undefined) return send(res, fail(gate))
    // A snapshot of the file as it is now, streamed in pieces as the real endpoint streams with chunked encoding.
    const bytes = Buffer.from(this.fleet.bytes(instance, file) as Uint8Array)
    res.writeHead(200, { "content-type": "text/plain; charset=UTF-8" })
    let at = 0
    const pump = () => {
      while (at < bytes.length) {
        const next = Math.min(at + 65_536, bytes.length)
        const more = res.write(bytes.subarray(at, next))
        at = next
        if (!more) return void res.once("drain", pump)
      }
      res.end()
    }
    pump()
  }
}

const send = (res: Http.ServerResponse, reply: Reply) => {
  res.writeHead(reply.status, { "content-type": "text/xml", "content-length": Buffer.byteLength(reply.body) })
  res.end(reply.body)
}

/** `Filters.member.N.Name=name` with `Filters.member.N.Values.member.M` values, as the SDK serialises them. */
const filterValues = (params: URLSearchParams, name: string): ReadonlyArray<string> | undefined => {
  for (let n = 1; params.has(`Filters.member.${n}.Name`); n++) {
    if (params.get(`Filters.member.${n}.Name`) !== name) continue
    const values: Array<string> = []
    for (let m = 1; params.has(`Filters.member.${n}.Values.member.${m}`); m++) values.push(params.get(`Filters.member.${n}.Values.member.${m}`) as string)
    return values
  }
  return undefined
}

const tagList = (tags: Readonly<Record<string, string>>): string =>
  Object.entries(tags).map(([k, v]) => el("Tag", text("Key", k) + text("Value", v))).join("")

/** The offset after `lines` lines from `start` (a last line without newline counts as a line). */
const lineEndForwards = (bytes: Uint8Array, start: number, lines: number): number => {
  let at = start
  for (let n = 0; n < lines && at < bytes.length; n++) {
    const nl = bytes.indexOf(NEWLINE, at)
    at = nl === -1 ? bytes.length : nl + 1
  }
  return at
}

/** The start of the `lines` lines that end at `end`. */
const lineStartBackwards = (bytes: Uint8Array, end: number, lines: number): number => {
  let at = end
  for (let n = 0; n < lines && at > 0; n++) {
    const nl = bytes.lastIndexOf(NEWLINE, at - 2)
    at = nl === -1 ? 0 : nl + 1
  }
  return at
}
