/**
 * Cuts downloaded bytes into blocks of whole records, carrying the incomplete tail.
 *
 * A record's end is only known when the next record starts, so everything from the last record start on is
 * carried (as bytes: a cut may fall inside a line or a UTF-8 character) until more arrives, the file rotates or it
 * stays quiet (`flush`). Blocks stay under `maxBlockBytes` (the bus's message limit) and the carry under
 * `carryCap` (it is stored in the cursor): a record larger than either travels as ordered `partial` blocks that the
 * processor reassembles. Plain code over whole buffers: this runs on every downloaded byte.
 */
import { type LogFormat, recordStarts } from "@aurora-logs/parsers"

export interface FrameLimits {
  readonly maxBlockBytes: number
  readonly carryCap: number
}

export interface FramedBlock {
  /** File offset of `data[0]`. */
  readonly offset: number
  readonly data: Uint8Array
  /** The data ends inside a record that the next block of the file goes on with. */
  readonly partial: boolean
  /** The data begins inside a record that an earlier block began. */
  readonly continuation: boolean
}

export interface Framed {
  readonly blocks: ReadonlyArray<FramedBlock>
  readonly carry: Uint8Array
  /** The carry begins inside a record whose beginning was published (it goes on with a partial block). */
  readonly carryContinues: boolean
}

const NEWLINE = 10
const EMPTY = new Uint8Array(0)

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array => {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

/**
 * @param carry bytes carried from before, starting at file offset `carryOffset`
 * @param data the new bytes, which follow the carry in the file
 * @param carryContinues the carry begins inside a record whose beginning was published before
 * @param flush the file rotated or went quiet: the carried record is complete
 */
export const frame = (
  format: LogFormat,
  carry: Uint8Array,
  carryOffset: number,
  carryContinues: boolean,
  data: Uint8Array,
  flush: boolean,
  limits: FrameLimits
): Framed => {
  const buf = concat(carry, data)
  if (buf.length === 0) return { blocks: [], carry: EMPTY, carryContinues: false }
  const starts = recordStarts(format, buf, 0, buf.length)
  let cut = buf.length
  if (!flush) {
    cut = 0
    for (let i = starts.length - 1; i >= 0; i--) {
      if (starts[i] > 0) {
        cut = starts[i]
        break
      }
    }
  }
  const blocks: Array<FramedBlock> = []
  packRecords(buf, cut, starts, carryOffset, limits.maxBlockBytes, carryContinues, blocks)
  let rest = buf.subarray(cut)
  let restContinues = cut === 0 && carryContinues
  if (rest.length > limits.carryCap) {
    // Only whole lines can be let go: the last line might still turn out to start a new record. And something is
    // always kept, so that the flush that completes the record has a final, non-partial block to close it with.
    const lastNewline = rest.lastIndexOf(NEWLINE, rest.length - 2)
    const release = lastNewline >= 0 ? lastNewline + 1 : rest.length - 1
    if (release > 0) {
      splitPartial(rest.subarray(0, release), carryOffset + cut, limits.maxBlockBytes, true, restContinues, blocks)
      rest = rest.subarray(release)
      restContinues = true
    }
  }
  return rest.length === 0
    ? { blocks, carry: EMPTY, carryContinues: false }
    : { blocks, carry: rest.slice(), carryContinues: restContinues }
}

/** Packs the records of buf[0, end) into blocks of at most `max` bytes; a record over `max` becomes partial blocks. */
const packRecords = (
  buf: Uint8Array,
  end: number,
  starts: ReadonlyArray<number>,
  base: number,
  max: number,
  continues: boolean,
  out: Array<FramedBlock>
): void => {
  let blockStart = 0
  let recordStart = 0
  let k = 0
  while (recordStart < end) {
    while (k < starts.length && starts[k] <= recordStart) k++
    const recordEnd = k < starts.length && starts[k] < end ? starts[k] : end
    if (recordEnd - blockStart > max && recordStart > blockStart) {
      out.push({ offset: base + blockStart, data: buf.slice(blockStart, recordStart), partial: false, continuation: continues && blockStart === 0 })
      blockStart = recordStart
    }
    if (recordEnd - blockStart > max) {
      splitPartial(buf.subarray(blockStart, recordEnd), base + blockStart, max, false, continues && blockStart === 0, out)
      blockStart = recordEnd
    }
    recordStart = recordEnd
  }
  if (end > blockStart) out.push({ offset: base + blockStart, data: buf.slice(blockStart, end), partial: false, continuation: continues && blockStart === 0 })
}

/**
 * Cuts one record's bytes into ordered pieces; all but the last are partial, the last too when `open`; all but the
 * first continue a record, the first too when `continues`.
 */
const splitPartial = (bytes: Uint8Array, offset: number, max: number, open: boolean, continues: boolean, out: Array<FramedBlock>): void => {
  for (let at = 0; at < bytes.length; at += max) {
    const end = Math.min(at + max, bytes.length)
    out.push({ offset: offset + at, data: bytes.slice(at, end), partial: open || end < bytes.length, continuation: continues || at > 0 })
  }
}
