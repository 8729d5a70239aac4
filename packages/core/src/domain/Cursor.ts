/**
 * Where the tail of one file generation stands: what has been consumed from the file, and the incomplete
 * record carried until the rest of it arrives.
 */
import { Schema } from "effect"

export const Cursor = Schema.Struct({
  instance: Schema.String,
  file: Schema.String,
  generation: Schema.Number,
  /**
   * The name the bytes are read under now: `file`, until rotation renamed the file away (MySQL's
   * `mysql-slowquery.log` -> `mysql-slowquery.log.2026-11-26.09`). Records keep the identity (`file`, `generation`)
   * whatever the name, so a record read before and after a rename has one id.
   */
  readName: Schema.String,
  /** The RDS portion marker to resume from ("0" = start of file). */
  marker: Schema.String,
  /** Bytes of the file consumed: published, or held in `carry`. */
  offset: Schema.Number,
  /** Bytes from the start of the last incomplete record up to `offset`; not yet published. */
  carry: Schema.Uint8Array,
  /**
   * The carry begins inside a record whose beginning already went out as partial blocks (a record over the carry
   * cap): the block that publishes it continues that record.
   */
  carryContinues: Schema.Boolean,
  /** File size and LastWritten when last seen, to notice growth, shrinking and expiry. */
  size: Schema.Number,
  lastWritten: Schema.Number,
  /** Epoch ms when bytes last arrived; the carried tail is flushed once the file stays quiet. */
  lastDataAt: Schema.Number,
  /** The file was closed (rotated) and everything in it, carry included, has been published. */
  done: Schema.Boolean,
  /** The lease version of the writer; a write is refused when the stored fence is newer. */
  fence: Schema.Number
})
export type Cursor = typeof Cursor.Type

/** Offset of the first byte not yet published: where a record id sequence resumes. */
export const publishedUpTo = (cursor: Cursor): number => cursor.offset - cursor.carry.length

export const initialCursor = (
  ref: { readonly instance: string; readonly file: string; readonly generation: number },
  at: { readonly size: number; readonly lastWritten: number; readonly now: number }
): Cursor => ({
  instance: ref.instance,
  file: ref.file,
  generation: ref.generation,
  readName: ref.file,
  marker: "0",
  offset: 0,
  carry: new Uint8Array(0),
  carryContinues: false,
  size: at.size,
  lastWritten: at.lastWritten,
  lastDataAt: at.now,
  done: false,
  fence: 0
})
