/**
 * Turning the timestamps the engines write into epoch microseconds, honouring the zone they carry.
 * Written with plain digit arithmetic (no Date parsing) because it runs once per record on the hot path.
 */

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/** Epoch microseconds of a UTC wall-clock time. */
export function utcMicros(year: number, month: number, day: number, hour: number, minute: number, second: number, micros: number): number {
  return ((daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000) + micros
}

/**
 * Offsets in minutes east of UTC of the zone abbreviations PostgreSQL prints for %t/%m (every
 * alphabetic one today's tzdata gives). An unknown abbreviation is read as UTC (documented in
 * docs/record-schema.md), since RDS and Aurora log in UTC. Where tzdata gives one abbreviation two
 * offsets, the more common zone wins: CST is US Central (not China), PST US Pacific (not Manila), IST
 * India (not Ireland's summer or Israel).
 */
const ZONE_OFFSETS_MINUTES: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, WET: 0, WEST: 60, BST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180, MSK: 180,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600,
  AST: -240, ADT: -180, NST: -210, NDT: -150, IST: 330, PKT: 300, HKT: 480, SGT: 480, AWST: 480, JST: 540, KST: 540,
  ACST: 570, ACDT: 630, AEST: 600, AEDT: 660, NZST: 720, NZDT: 780, BRT: -180, ART: -180, SAST: 120, WIB: 420,
  WAT: 60, CAT: 120, EAT: 180, IDT: 180, WITA: 480, WIT: 540, ChST: 600, SST: -660, HDT: -540
}

/** Minutes east of UTC of a zone written as an abbreviation or a numeric offset (+03, -0330, +05:30); undefined when unknown. */
export function zoneOffsetMinutes(zone: string): number | undefined {
  const known = ZONE_OFFSETS_MINUTES[zone]
  if (known !== undefined) return known
  const first = zone.charCodeAt(0)
  if ((first === 43 || first === 45) && zone.length >= 3) {
    const digits = zone.slice(1).replace(":", "")
    if (!/^\d{2}(?:\d{2})?$/.test(digits)) return undefined
    const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length === 4 ? Number(digits.slice(2, 4)) : 0)
    return first === 45 ? -minutes : minutes
  }
  return undefined
}

const digitsAt = (s: string, at: number, count: number): number => {
  let value = 0
  for (let i = 0; i < count; i++) {
    const c = s.charCodeAt(at + i) - 48
    if (c < 0 || c > 9) return -1
    value = value * 10 + c
  }
  return value
}

/** Reads a fraction ".ddd…" at `at` (or nothing) before `end` as microseconds; returns [micros, end of it]. */
const fractionAt = (s: string, at: number, end: number): [number, number] => {
  if (at >= end || s.charCodeAt(at) !== 46) return [0, at]
  let i = at + 1
  let micros = 0
  let scale = 100_000
  while (i < end) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) break
    micros += c * scale
    scale = Math.floor(scale / 10)
    i++
  }
  return [micros, i]
}

let lastPostgresText = ""
let lastPostgresMicros: number | undefined

/**
 * "YYYY-MM-DD HH:MM:SS[.fff] ZONE" (PostgreSQL %t / %m, csvlog, jsonlog) to epoch microseconds;
 * undefined when it is not such a timestamp.
 */
export function parsePostgresTimestamp(s: string): number | undefined {
  // Records come in bursts within one second: the same text gives the same answer.
  if (s === lastPostgresText) return lastPostgresMicros
  const micros = postgresTimestampAt(s, 0, s.length)
  lastPostgresText = s
  lastPostgresMicros = micros
  return micros
}

/** Seconds since the epoch of the last minute postgresTimestampAt read, keyed by its digits. */
let lastMinuteKey = -1
let lastMinuteSeconds = 0
/** The last zone postgresTimestampAt looked up, and its offset. */
let lastZone = "UTC"
let lastZoneOffset = 0

const isGraphicAscii = (c: number) => c > 32 && c < 127

/**
 * The PostgreSQL timestamp in s[start, end), read in place: the stderr parser calls it on every
 * record's prefix, where slicing and comparing the text cost more than reading it. Consecutive
 * records share the minute, whose epoch seconds are kept, and the zone, whose offset is.
 */
export function postgresTimestampAt(s: string, start: number, end: number): number | undefined {
  if (end - start < 19) return undefined
  const year = digitsAt(s, start, 4), month = digitsAt(s, start + 5, 2), day = digitsAt(s, start + 8, 2)
  const hour = digitsAt(s, start + 11, 2), minute = digitsAt(s, start + 14, 2), second = digitsAt(s, start + 17, 2)
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined
  const [micros, at] = fractionAt(s, start + 19, end)
  let offset = 0
  if (at < end) {
    const zoneStart = s.charCodeAt(at) === 32 ? at + 1 : at
    if (zoneStart < end && isGraphicAscii(s.charCodeAt(zoneStart)) && isGraphicAscii(s.charCodeAt(end - 1))) {
      // Nothing to trim.
      if (!(end - zoneStart === lastZone.length && s.startsWith(lastZone, zoneStart))) {
        lastZone = s.slice(zoneStart, end)
        lastZoneOffset = zoneOffsetMinutes(lastZone) ?? 0
      }
      offset = lastZoneOffset
    } else {
      const zone = s.slice(zoneStart, end).trim()
      if (zone.length > 0) offset = zoneOffsetMinutes(zone) ?? 0
    }
  }
  // The same sums as utcMicros, in the same order: the minute's part is exact and can be kept.
  const minuteKey = (((year * 100 + month) * 100 + day) * 100 + hour) * 100 + minute
  if (minuteKey !== lastMinuteKey) {
    lastMinuteKey = minuteKey
    lastMinuteSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60
  }
  return ((lastMinuteSeconds + second) * 1_000_000) + micros - offset * 60_000_000
}

/** "YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±HH:MM)" or "YYYY-MM-DD HH:MM:SS" / "YYYY-MM-DD  H:MM:SS" (read as UTC). */
export function parseIsoTimestamp(s: string): number | undefined {
  if (s.length < 19) return undefined
  const year = digitsAt(s, 0, 4), month = digitsAt(s, 5, 2), day = digitsAt(s, 8, 2)
  if (year < 0 || month < 1 || day < 1) return undefined
  // MariaDB pads the hour with a space: "2026-11-26  9:34:08".
  let i = 11
  let hour: number
  if (s.charCodeAt(10) === 32 && s.charCodeAt(11) === 32) {
    hour = digitsAt(s, 12, 1)
    i = 13
  } else if (s.charCodeAt(12) === 58) {
    hour = digitsAt(s, 11, 1)
    i = 12
  } else {
    hour = digitsAt(s, 11, 2)
    i = 13
  }
  if (s.charCodeAt(i) !== 58) return undefined
  const minute = digitsAt(s, i + 1, 2), second = digitsAt(s, i + 4, 2)
  if (hour < 0 || minute < 0 || second < 0) return undefined
  const [micros, end] = fractionAt(s, i + 6, s.length)
  let offset = 0
  const z = s.charCodeAt(end)
  if (z === 43 || z === 45) offset = zoneOffsetMinutes(s.slice(end, end + 6)) ?? 0
  return utcMicros(year, month, day, hour, minute, second, micros) - offset * 60_000_000
}

/** MySQL's old "YYMMDD H:MM:SS" / "YYMMDD HH:MM:SS" (server time, read as UTC as on RDS). */
export function parseShortMysqlTimestamp(s: string): number | undefined {
  const year = digitsAt(s, 0, 2), month = digitsAt(s, 2, 2), day = digitsAt(s, 4, 2)
  if (year < 0 || month < 1 || day < 1 || s.charCodeAt(6) !== 32) return undefined
  let i = 7
  if (s.charCodeAt(i) === 32) i++
  let hour = digitsAt(s, i, 2)
  if (hour < 0 || s.charCodeAt(i + 2) !== 58) {
    hour = digitsAt(s, i, 1)
    i += 1
  } else i += 2
  if (hour < 0 || s.charCodeAt(i) !== 58) return undefined
  const minute = digitsAt(s, i + 1, 2), second = digitsAt(s, i + 4, 2)
  if (minute < 0 || second < 0) return undefined
  return utcMicros(2000 + year, month, day, hour, minute, second, 0)
}

/** "YYYYMMDD HH:MM:SS" (MariaDB server_audit). */
export function parseCompactTimestamp(s: string): number | undefined {
  const year = digitsAt(s, 0, 4), month = digitsAt(s, 4, 2), day = digitsAt(s, 6, 2)
  const hour = digitsAt(s, 9, 2), minute = digitsAt(s, 12, 2), second = digitsAt(s, 15, 2)
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return undefined
  return utcMicros(year, month, day, hour, minute, second, 0)
}

/** "H:MM:SS.fff" (PostgreSQL session time) to milliseconds. */
export function parseSessionTimeMs(s: string): number | undefined {
  const m = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(s)
  if (m === null) return undefined
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1_000_000) / 1000
}
