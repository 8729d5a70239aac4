/**
 * Which of an instance's log files are still being written, and which were rotated away.
 *
 * PostgreSQL and the audit log rotate to new names: the newest name of a series is the open one. MySQL's error,
 * slow and general logs rotate by rename: the bare name is always the active file, and `NAME.<suffix>` is its
 * previous generation, closed for good.
 */

const RENAME_ROTATED = new Set([
  "mysql-error-running.log",
  "mysql-error.log",
  "mysql-slowquery.log",
  "mysql-general.log",
  "server_audit.log"
])

const baseName = (name: string): string => name.slice(name.lastIndexOf("/") + 1)

/** A name that is rotated by rename (its generations follow each other under one name). */
export const isRenameRotated = (name: string): boolean => RENAME_ROTATED.has(baseName(name))

/** For a file renamed away from an active name (`mysql-slowquery.log.2026-11-26.09`), that active name. */
export const renamedFrom = (name: string): string | undefined => {
  const slash = name.lastIndexOf("/") + 1
  const base = name.slice(slash)
  for (const active of RENAME_ROTATED) {
    if (base.length > active.length + 1 && base.startsWith(active) && base[active.length] === ".") {
      return name.slice(0, slash) + active
    }
  }
  return undefined
}

/** The series a time-stamped name belongs to: its name with the date part taken out. */
export const seriesOf = (name: string): string => name.replace(/\d{4}-\d{2}-\d{2}[-.\d]*/, "*")

/** The names, among `names`, whose files will not be written any more. */
export const closedFiles = (names: ReadonlyArray<string>): ReadonlySet<string> => {
  const closed = new Set<string>()
  const newest = new Map<string, string>()
  for (const name of names) {
    if (isRenameRotated(name)) continue
    if (renamedFrom(name) !== undefined) {
      closed.add(name)
      continue
    }
    const series = seriesOf(name)
    if (series === name) continue
    const best = newest.get(series)
    if (best === undefined || name > best) newest.set(series, name)
  }
  for (const name of names) {
    if (isRenameRotated(name) || renamedFrom(name) !== undefined) continue
    const series = seriesOf(name)
    if (series !== name && newest.get(series) !== name) closed.add(name)
  }
  return closed
}

/**
 * Whether the active file `active` (rotated by rename) may have been rotated between listing `before` and listing
 * `after`: a file renamed away from it appeared, or the active name is missing (caught in the middle of a rotation).
 */
export const rotatedBetween = (
  active: string,
  before: ReadonlyArray<{ readonly name: string }>,
  after: ReadonlyArray<{ readonly name: string }>
): boolean => {
  const known = new Set<string>()
  for (const f of before) if (renamedFrom(f.name) === active) known.add(f.name)
  let present = false
  for (const f of after) {
    if (f.name === active) present = true
    else if (!known.has(f.name) && renamedFrom(f.name) === active) return true
  }
  return !present
}
