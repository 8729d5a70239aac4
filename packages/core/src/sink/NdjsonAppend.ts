/**
 * Durable appends to an NDJSON file (the demo's sink files, the one-process modes' dead letters).
 *
 * A process killed in the middle of a write leaves a torn last line. Nothing in it was acknowledged (the append
 * returns only after fsync), so its records are written again after the restart; the torn bytes are cut off
 * before the first append of a process, otherwise they would glue onto the next line and corrupt it.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"

const NEWLINE = 0x0a
const SCAN_CHUNK = 64 * 1024

/** Appends `text` (whole lines, each ending in "\n") to files; repairs each file's torn tail once per appender. */
export const makeNdjsonAppender = () => {
  const repaired = new Set<string>()
  return (path: string, text: string): void => {
    NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
    const fd = NodeFs.openSync(path, NodeFs.constants.O_RDWR | NodeFs.constants.O_CREAT | NodeFs.constants.O_APPEND)
    try {
      if (!repaired.has(path)) {
        cutTornTail(fd)
        repaired.add(path)
      }
      const bytes = Buffer.from(text, "utf8")
      for (let written = 0; written < bytes.length;) written += NodeFs.writeSync(fd, bytes, written)
      NodeFs.fsyncSync(fd)
    } finally {
      NodeFs.closeSync(fd)
    }
  }
}

/** Truncates the file after its last newline; returns the bytes cut. */
export const cutTornTail = (fd: number): number => {
  const size = NodeFs.fstatSync(fd).size
  if (size === 0) return 0
  const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size))
  let end = size
  while (end > 0) {
    const start = Math.max(0, end - chunk.length)
    const n = NodeFs.readSync(fd, chunk, 0, end - start, start)
    const at = chunk.subarray(0, n).lastIndexOf(NEWLINE)
    if (at !== -1) {
      const keep = start + at + 1
      if (keep < size) NodeFs.ftruncateSync(fd, keep)
      return size - keep
    }
    end = start
  }
  NodeFs.ftruncateSync(fd, 0)
  return size
}
