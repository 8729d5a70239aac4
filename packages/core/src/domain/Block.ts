/**
 * A raw block: whole records of one file generation, cut by the framer, as they travel on the bus.
 * Kafka keeps these raw bytes, so a new parser can re-process the retained window.
 */
import type { LogFormat } from "@aurora-logs/parsers"
import type { Cursor } from "./Cursor.ts"
import type { Instance } from "./Instance.ts"
import { fileKey, type FileRef } from "./LogFile.ts"

export interface Block extends FileRef {
  readonly source: Instance
  readonly format: LogFormat
  /** Byte offset in the file of `data[0]`: a record start, or the continuation of a `partial` block before it. */
  readonly offset: number
  readonly data: Uint8Array
  /** The data ends inside a record whose rest follows in the next block of this file (a record over the size cap). */
  readonly partial: boolean
  /**
   * The data begins inside a record that an earlier block began. The processor joins it to the beginning it
   * holds; without one (the beginning was shipped already, and this is a re-publication after a restart) the bytes
   * up to the next record start are not a record of their own.
   */
  readonly continuation: boolean
  /**
   * The cursor as it stands once this block is delivered. In the one-process modes the processor moves the
   * cursor to it only after the sink accepted every record of this block and of the blocks before it.
   */
  readonly cursorAfter?: Cursor
  /** The lease version that produced this block (cursor writes are fenced by it). */
  readonly fence: number
  /** Carried across the bus as message headers: the trace context (`traceparent`) of the span that published it. */
  readonly headers?: Readonly<Record<string, string>>
}

/** Partition key: one key per file, so each file keeps its order on the bus. */
export const blockKey = (block: FileRef): string => fileKey(block)
