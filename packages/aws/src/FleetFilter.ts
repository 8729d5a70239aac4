/**
 * Which Aurora clusters to ship: include/exclude by cluster id pattern and by tag.
 *
 * A cluster is shipped when its id matches an include pattern (default `*`), it carries every included tag, and
 * neither its id matches an exclude pattern nor does it carry an excluded tag. Patterns are globs (`*`, `?`),
 * tags are `key=value-glob` or a bare `key` (present with any value).
 */
import { Config } from "effect"

export interface FleetFilter {
  readonly includeClusters: ReadonlyArray<string>
  readonly excludeClusters: ReadonlyArray<string>
  readonly includeTags: ReadonlyArray<string>
  readonly excludeTags: ReadonlyArray<string>
}

export const allClusters: FleetFilter = { includeClusters: ["*"], excludeClusters: [], includeTags: [], excludeTags: [] }

const list = (name: string, fallback: string) =>
  Config.String(name).pipe(
    Config.withDefault(fallback),
    Config.map((s) => s.split(",").map((p) => p.trim()).filter((p) => p.length > 0))
  )

/**
 * `AURORA_LOGS_CLUSTERS_INCLUDE` (default `*`), `AURORA_LOGS_CLUSTERS_EXCLUDE`, `AURORA_LOGS_CLUSTER_TAGS_INCLUDE`,
 * `AURORA_LOGS_CLUSTER_TAGS_EXCLUDE`: comma-separated lists.
 */
export const fleetFilterConfig: Config.Config<FleetFilter> = Config.all({
  includeClusters: list("AURORA_LOGS_CLUSTERS_INCLUDE", "*"),
  excludeClusters: list("AURORA_LOGS_CLUSTERS_EXCLUDE", ""),
  includeTags: list("AURORA_LOGS_CLUSTER_TAGS_INCLUDE", ""),
  excludeTags: list("AURORA_LOGS_CLUSTER_TAGS_EXCLUDE", "")
})

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)

export const matchesGlob = (glob: string, value: string): boolean => globToRegExp(glob).test(value)

const hasTag = (tags: Readonly<Record<string, string>>, spec: string): boolean => {
  const eq = spec.indexOf("=")
  if (eq === -1) return Object.hasOwn(tags, spec)
  const key = spec.slice(0, eq)
  return Object.hasOwn(tags, key) && matchesGlob(spec.slice(eq + 1), tags[key] ?? "")
}

export const clusterSelected = (filter: FleetFilter, id: string, tags: Readonly<Record<string, string>>): boolean =>
  filter.includeClusters.some((g) => matchesGlob(g, id)) &&
  filter.includeTags.every((t) => hasTag(tags, t)) &&
  !filter.excludeClusters.some((g) => matchesGlob(g, id)) &&
  !filter.excludeTags.some((t) => hasTag(tags, t))
