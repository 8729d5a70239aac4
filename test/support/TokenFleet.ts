/**
 * A simulated Aurora fleet for the process-level suites: PostgreSQL and MySQL instances in turn, each with one log
 * file that the test writes records into, every record carrying a unique token, so that a test can tell whether
 * each one came out of the pipeline, and once.
 */
import { type Instance, SimulatedFleet, syntheticRecord } from "@aurora-logs/core"
import type { Written } from "@aurora-logs/core/pipeline/testing/DeliveryCheck"

export interface TokenFleetOptions {
  readonly instances: number
  readonly clusters: number
  /** Every third instance a writer and the others readers (default: all writers). */
  readonly readers?: boolean
  /** Every n-th record of a write carries a 2 KB statement (default: none). */
  readonly largeEvery?: number
  /** Every n-th record of a write spans several lines. */
  readonly multilineEvery: number
}

export class TokenFleet {
  readonly fleet = new SimulatedFleet()
  readonly instances: ReadonlyArray<Instance>
  readonly written: Array<Written> = []
  private readonly options: TokenFleetOptions
  private token = 0

  constructor(options: TokenFleetOptions) {
    this.options = options
    this.instances = Array.from({ length: options.instances }, (_, i) => ({
      id: `db-${String(i).padStart(2, "0")}`,
      cluster: `cluster-${i % options.clusters}`,
      engine: i % 2 === 0 ? "postgres" as const : "mysql" as const,
      role: options.readers === true && i % 3 !== 0 ? "reader" as const : "writer" as const,
      region: "eu-west-1",
      tags: {}
    }))
    for (const i of this.instances) this.fleet.addInstance(i)
  }

  /** Appends `count` records to instance `k`'s file. */
  write(k: number, count: number): void {
    const i = this.instances[k]
    const now = Date.now()
    let text = ""
    for (let n = 0; n < count; n++) {
      const token = `tok_${k}_${this.token++}`
      this.written.push({ token, stream: k })
      const large = this.options.largeEvery !== undefined && n % this.options.largeEvery === 0
      text += syntheticRecord(i.engine === "postgres" ? "postgres" : "mysql-slow", token, now, large ? 2000 : 0, n % this.options.multilineEvery === 0)
    }
    this.fleet.append(i.id, i.engine === "postgres" ? "error/postgresql.log.2026-11-26-0940" : "slowquery/mysql-slowquery.log", text, now)
  }
}
