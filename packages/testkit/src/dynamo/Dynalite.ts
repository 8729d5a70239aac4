/**
 * dynalite (a DynamoDB implementation on an in-memory LevelDB) on loopback, as a scoped resource for tests: the
 * endpoint of the real @aws-sdk/client-dynamodb in the state-store contract tests.
 *
 * dynalite implements conditional writes, queries and global secondary indexes, but not TTL expiry (a TTL
 * attribute is stored and never acted upon) nor UpdateTimeToLive.
 *
 * dynalite throws (an uncaught exception) when its database closes under a request still being worked on, which
 * happens when a client was killed mid-request just before the server stops: `stop` waits for such requests first.
 */
import type * as Http from "node:http"
import { createRequire } from "node:module"
import type { AddressInfo } from "node:net"
import { Effect } from "effect"

type DynaliteFactory = (options: { readonly createTableMs?: number; readonly deleteTableMs?: number; readonly updateTableMs?: number }) => Http.Server

/** dynalite is CommonJS without types: loaded through require, typed by the little of it used here. */
const loadDynalite = (): DynaliteFactory => createRequire(import.meta.url)("dynalite") as DynaliteFactory

export interface DynaliteServer {
  /** `http://127.0.0.1:<port>`: pass as the DynamoDB client's `endpoint`. */
  readonly endpoint: string
  readonly stop: () => Promise<void>
}

/** How long `stop` waits for requests in flight before it closes the database under them. */
const DRAIN_MS = 5_000

/** Counts the requests whose answer is not written yet (a killed client's request still runs to its end). */
const trackRequests = (server: Http.Server) => {
  let inFlight = 0
  let waiting: Array<() => void> = []
  server.prependListener("request", (_req: Http.IncomingMessage, res: Http.ServerResponse) => {
    inFlight++
    const end = res.end
    let ended = false
    res.end = function(this: Http.ServerResponse, ...args: Array<unknown>) {
      if (!ended) {
        ended = true
        if (--inFlight === 0) for (const wake of waiting.splice(0)) wake()
      }
      return (end as (...a: Array<unknown>) => Http.ServerResponse).apply(this, args)
    } as Http.ServerResponse["end"]
  })
  /** Resolves once no request is in flight, or after `ms`. */
  return (ms: number) =>
    new Promise<void>((resolve) => {
      if (inFlight === 0) return resolve()
      const timer = setTimeout(() => {
        waiting = waiting.filter((w) => w !== wake)
        resolve()
      }, ms)
      const wake = () => {
        clearTimeout(timer)
        resolve()
      }
      waiting.push(wake)
    })
}

/** Starts dynalite on 127.0.0.1 on a free port; tables become ACTIVE at once. */
export const start = (): Promise<DynaliteServer> => {
  const server = loadDynalite()({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  const drained = trackRequests(server)
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as AddressInfo
      resolve({
        endpoint: `http://127.0.0.1:${address.port}`,
        stop: async () => {
          await drained(DRAIN_MS)
          await new Promise<void>((done) => {
            server.close(() => done())
            server.closeAllConnections()
          })
        }
      })
    })
  })
}

/** dynalite for the life of the scope. */
export const scoped = Effect.acquireRelease(Effect.promise(start), (server) => Effect.promise(server.stop))

/** Dummy credentials and region for a client pointed at dynalite (it checks neither). */
export const clientConfig = (server: DynaliteServer) => ({
  endpoint: server.endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDDYNALITE", secretAccessKey: "dynalite" }
})
