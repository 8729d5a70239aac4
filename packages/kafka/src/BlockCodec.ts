/**
 * How a block travels as a Kafka message: the value is the block's raw bytes, untouched, so a new parser (or a
 * reset consumer group) can re-process the retained window; the message headers carry everything else. The key
 * is `blockKey(block)` (instance/file#generation), so each file generation stays on one partition, in order.
 *
 * Headers (UTF-8 strings): `al-codec` = "1", `al-instance`, `al-file`, `al-generation`, `al-format`, `al-offset`,
 * `al-partial` and `al-continuation` ("1" | "0"), `al-fence`, `al-source` (the Instance as JSON) and, when present, `al-cursor` (the
 * cursor after the block as JSON, its `carry` bytes as base64). Other headers (trace context) pass through.
 *
 * Decoding is on the consumer's hot path: plain code, no Effect per message, and the `al-source` JSON (the same
 * few strings over and over) decoded once per distinct value.
 */
import { type Block, blockKey, Cursor, Instance } from "@aurora-logs/core"
import { isLogFormat } from "@aurora-logs/parsers"
import { Schema } from "effect"

export const CODEC_VERSION = "1"
const H = {
  codec: "al-codec",
  instance: "al-instance",
  file: "al-file",
  generation: "al-generation",
  format: "al-format",
  offset: "al-offset",
  partial: "al-partial",
  continuation: "al-continuation",
  fence: "al-fence",
  source: "al-source",
  cursor: "al-cursor"
} as const

export interface EncodedBlock {
  readonly key: string
  readonly value: Buffer
  readonly headers: Record<string, string>
}

const bytesView = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

const encodeCursor = (cursor: Cursor): string =>
  JSON.stringify({ ...cursor, carry: bytesView(cursor.carry).toString("base64") })

export const encodeBlock = (block: Block, extraHeaders?: Readonly<Record<string, string>>): EncodedBlock => {
  const headers: Record<string, string> = extraHeaders === undefined ? {} : { ...extraHeaders }
  headers[H.codec] = CODEC_VERSION
  headers[H.instance] = block.instance
  headers[H.file] = block.file
  headers[H.generation] = String(block.generation)
  headers[H.format] = block.format
  headers[H.offset] = String(block.offset)
  headers[H.partial] = block.partial ? "1" : "0"
  headers[H.continuation] = block.continuation ? "1" : "0"
  headers[H.fence] = String(block.fence)
  headers[H.source] = JSON.stringify(block.source)
  if (block.cursorAfter !== undefined) headers[H.cursor] = encodeCursor(block.cursorAfter)
  return { key: blockKey(block), value: bytesView(block.data), headers }
}

export type Decoded =
  | { readonly _tag: "Block"; readonly block: Block; readonly headers: Readonly<Record<string, string>> | undefined }
  | { readonly _tag: "Undecodable"; readonly reason: string }

/** Header values as kafkajs hands them over. */
export type RawHeaders = Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>> | undefined

const text = (v: Buffer | string | ReadonlyArray<Buffer | string> | undefined): string | undefined => {
  if (v === undefined) return undefined
  if (typeof v === "string") return v
  if (Buffer.isBuffer(v)) return v.toString("utf8")
  const last = (v as ReadonlyArray<Buffer | string>)[v.length - 1]
  return last === undefined ? undefined : typeof last === "string" ? last : last.toString("utf8")
}

const isInstance = Schema.is(Instance)
const isCursor = Schema.is(Cursor)
const SOURCE_CACHE_MAX = 4096
const sources = new Map<string, Instance>()

const decodeSource = (json: string): Instance | string => {
  const cached = sources.get(json)
  if (cached !== undefined) return cached
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return `${H.source} is not JSON`
  }
  if (!isInstance(parsed)) return `${H.source} is not an instance`
  if (sources.size >= SOURCE_CACHE_MAX) sources.clear()
  sources.set(json, parsed)
  return parsed
}

const decodeCursor = (json: string): Cursor | string => {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    return `${H.cursor} is not JSON`
  }
  if (typeof parsed !== "object" || parsed === null) return `${H.cursor} is not an object`
  const carry = (parsed as { carry?: unknown }).carry
  if (typeof carry !== "string") return `${H.cursor}.carry is not base64`
  const cursor = { ...(parsed as object), carry: new Uint8Array(Buffer.from(carry, "base64")) }
  return isCursor(cursor) ? cursor : `${H.cursor} is not a cursor`
}

const count = (raw: string | undefined): number | undefined => {
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) return undefined
  const n = Number(raw)
  return Number.isSafeInteger(n) ? n : undefined
}

const undecodable = (reason: string): Decoded => ({ _tag: "Undecodable", reason })

export const decodeBlock = (value: Buffer | null, raw: RawHeaders): Decoded => {
  if (value === null) return undecodable("no value")
  if (raw === undefined) return undecodable("no headers")
  const codec = text(raw[H.codec])
  if (codec !== CODEC_VERSION) return undecodable(codec === undefined ? `no ${H.codec} header` : `unknown codec version ${codec}`)
  const instance = text(raw[H.instance])
  const file = text(raw[H.file])
  if (instance === undefined || instance === "") return undecodable(`no ${H.instance} header`)
  if (file === undefined || file === "") return undecodable(`no ${H.file} header`)
  const generation = count(text(raw[H.generation]))
  const offset = count(text(raw[H.offset]))
  const fence = count(text(raw[H.fence]))
  if (generation === undefined) return undecodable(`bad ${H.generation} header`)
  if (offset === undefined) return undecodable(`bad ${H.offset} header`)
  if (fence === undefined) return undecodable(`bad ${H.fence} header`)
  const format = text(raw[H.format])
  if (format === undefined || !isLogFormat(format)) return undecodable(`unknown ${H.format} ${String(format)}`)
  const partial = text(raw[H.partial])
  if (partial !== "0" && partial !== "1") return undecodable(`bad ${H.partial} header`)
  const continuation = text(raw[H.continuation]) ?? "0"
  if (continuation !== "0" && continuation !== "1") return undecodable(`bad ${H.continuation} header`)
  const sourceJson = text(raw[H.source])
  if (sourceJson === undefined) return undecodable(`no ${H.source} header`)
  const source = decodeSource(sourceJson)
  if (typeof source === "string") return undecodable(source)
  const cursorJson = text(raw[H.cursor])
  let cursorAfter: Cursor | undefined
  if (cursorJson !== undefined) {
    const cursor = decodeCursor(cursorJson)
    if (typeof cursor === "string") return undecodable(cursor)
    cursorAfter = cursor
  }
  let headers: Record<string, string> | undefined
  for (const name in raw) {
    if (name.startsWith("al-")) continue
    const v = text(raw[name])
    if (v === undefined) continue
    if (headers === undefined) headers = {}
    headers[name] = v
  }
  const base = { instance, file, generation, source, format, offset, data: value, partial: partial === "1", continuation: continuation === "1", fence }
  const block: Block = cursorAfter === undefined ? base : { ...base, cursorAfter }
  return { _tag: "Block", block, headers }
}
