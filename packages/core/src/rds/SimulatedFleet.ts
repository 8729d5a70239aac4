/**
 * A scripted Aurora fleet in memory: instances whose log files grow, rotate (by new name, or by rename as MySQL
 * does) and expire. `RdsLogs.layerMemory` and the RDS API emulator serve it with the real API's marker semantics:
 * a marker "0" reads from the start, a returned marker resumes after the bytes returned, a portion holds at most
 * the portion size and ends at a line end unless one line is longer than that.
 */
import type { Instance } from "../domain/Instance.ts"
import type { LogFileInfo } from "../domain/LogFile.ts"
import type { Portion } from "./RdsLogs.ts"

class GrowingFile {
  private buffer = new Uint8Array(1024)
  length = 0
  lastWritten: number
  constructor(lastWritten: number) {
    this.lastWritten = lastWritten
  }
  append(bytes: Uint8Array, now: number): void {
    if (this.length + bytes.length > this.buffer.length) {
      let capacity = this.buffer.length * 2
      while (capacity < this.length + bytes.length) capacity *= 2
      const next = new Uint8Array(capacity)
      next.set(this.buffer.subarray(0, this.length))
      this.buffer = next
    }
    this.buffer.set(bytes, this.length)
    this.length += bytes.length
    this.lastWritten = now
  }
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length)
  }
}

const NEWLINE = 10

export class SimulatedFleet {
  private readonly members = new Map<string, { instance: Instance; files: Map<string, GrowingFile> }>()

  addInstance(instance: Instance): void {
    if (!this.members.has(instance.id)) this.members.set(instance.id, { instance, files: new Map() })
  }

  removeInstance(id: string): void {
    this.members.delete(id)
  }

  instances(): ReadonlyArray<Instance> {
    return Array.from(this.members.values(), (m) => m.instance)
  }

  files(instance: string): ReadonlyArray<LogFileInfo> | undefined {
    const member = this.members.get(instance)
    if (member === undefined) return undefined
    return Array.from(member.files, ([name, f]) => ({ name, size: f.length, lastWritten: f.lastWritten }))
  }

  bytes(instance: string, file: string): Uint8Array | undefined {
    return this.members.get(instance)?.files.get(file)?.view()
  }

  /** Appends to a file, creating it when it does not exist. */
  append(instance: string, file: string, data: Uint8Array | string, now: number): void {
    const member = this.members.get(instance)
    if (member === undefined) throw new Error(`no instance ${instance}`)
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data
    let f = member.files.get(file)
    if (f === undefined) {
      f = new GrowingFile(now)
      member.files.set(file, f)
    }
    f.append(bytes, now)
  }

  /** MySQL's rotation: the active file is renamed and a new, empty file takes its name. */
  rotateByRename(instance: string, file: string, renamedTo: string, now: number): void {
    const member = this.members.get(instance)
    const f = member?.files.get(file)
    if (member === undefined || f === undefined) return
    member.files.set(renamedTo, f)
    member.files.set(file, new GrowingFile(now))
  }

  /** Retention: the file is gone from the listing and its bytes can no longer be read. */
  expire(instance: string, file: string): void {
    this.members.get(instance)?.files.delete(file)
  }

  portion(instance: string, file: string, marker: string, maxBytes: number): Portion | undefined {
    const bytes = this.bytes(instance, file)
    if (bytes === undefined) return undefined
    const from = Math.min(markerOffset(marker), bytes.length)
    let end = Math.min(from + maxBytes, bytes.length)
    if (end < bytes.length) {
      const lastNewline = bytes.lastIndexOf(NEWLINE, end - 1)
      if (lastNewline >= from) end = lastNewline + 1
    }
    return { data: bytes.slice(from, end), marker: `1:${end}`, pending: end < bytes.length }
  }
}

/** The byte offset a marker stands for: "0" and "N:OFFSET" forms. */
export const markerOffset = (marker: string): number => {
  const colon = marker.lastIndexOf(":")
  const n = Number(colon === -1 ? marker : marker.slice(colon + 1))
  return Number.isFinite(n) && n >= 0 ? n : 0
}

/** A marker that resumes at `offset`. */
export const markerAt = (offset: number): string => (offset === 0 ? "0" : `1:${offset}`)
