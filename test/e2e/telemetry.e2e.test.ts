/**
 * Traces leave the process by OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans for publishing blocks and for
 * shipping batches, the batch spans linked to the spans of the blocks they shipped (the trace context travels on
 * the bus with each block). A small OTLP/HTTP receiver on loopback stands in for the collector.
 */
import * as NodeFs from "node:fs"
import * as NodeHttp from "node:http"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { ROOT, startCli, withDeadline } from "./CliProcess.ts"

interface OtlpSpan {
  readonly name: string
  readonly traceId: string
  readonly spanId: string
  readonly links?: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>
}

const receiver = async () => {
  const spans: Array<OtlpSpan> = []
  const server = NodeHttp.createServer((req, res) => {
    let body = ""
    req.on("data", (d) => (body += d))
    req.on("end", () => {
      if (req.url === "/v1/traces") {
        const json = JSON.parse(body)
        for (const rs of json.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans.push(...(ss.spans ?? []))
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { spans, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() }
}

describe("telemetry", () => {
  it("exports spans by OTLP, batch spans linked across the bus to the spans that published their blocks", async () => {
    const otlp = await receiver()
    const dir = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "aurora-logs-otel-"))
    NodeFs.mkdirSync(NodePath.join(dir, "logs"))
    NodeFs.copyFileSync(
      NodePath.join(ROOT, "packages/testkit/fixtures/postgresql/postgresql.log.2026-11-26-0940"),
      NodePath.join(dir, "logs", "postgresql.log.2026-11-26-0940")
    )
    try {
      const demo = startCli(["demo", "--from-dir", NodePath.join(dir, "logs"), "--data-dir", NodePath.join(dir, "data"), "--quiet"], {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url
      })
      expect(await withDeadline("the demo to finish", demo.exited, 60_000), demo.output()).toBe(0)
      const publish = otlp.spans.filter((s) => s.name === "discovery.publish")
      const ship = otlp.spans.filter((s) => s.name === "processor.ship")
      expect(publish.length).toBeGreaterThan(0)
      expect(ship.length).toBeGreaterThan(0)
      const published = new Set(publish.map((s) => `${s.traceId}/${s.spanId}`))
      const links = ship.flatMap((s) => s.links ?? [])
      expect(links.length).toBeGreaterThan(0)
      for (const link of links) expect(published.has(`${link.traceId}/${link.spanId}`)).toBe(true)
    } finally {
      otlp.close()
      NodeFs.rmSync(dir, { recursive: true, force: true })
    }
  }, 90_000)
})
