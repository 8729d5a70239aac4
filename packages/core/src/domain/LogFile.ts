/**
 * A log file as DescribeDBLogFiles lists it, and the identity of one generation of a file.
 */
import { Schema } from "effect"

export const LogFileInfo = Schema.Struct({
  name: Schema.String,
  size: Schema.Number,
  /** Epoch milliseconds, as the RDS API reports `LastWritten`. */
  lastWritten: Schema.Number
})
export type LogFileInfo = typeof LogFileInfo.Type

/**
 * One generation of one file of one instance. A name reused by a new generation (MySQL's rename rotation)
 * gets a higher `generation`, so cursor keys and record ids never collide across generations.
 */
export interface FileRef {
  readonly instance: string
  readonly file: string
  readonly generation: number
}

export const fileKey = (ref: FileRef): string => `${ref.instance}/${ref.file}#${ref.generation}`

/** Deterministic: the same bytes of the same file generation always get the same id, whatever the run. */
export const recordId = (ref: FileRef, offset: number): string => recordIdPrefix(ref) + offset

/** What every record id of a file generation starts with (the offset follows). */
export const recordIdPrefix = (ref: FileRef): string => `${fileKey(ref)}@`
