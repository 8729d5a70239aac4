/**
 * Where each file generation's tail stands, and who may move it.
 *
 * A write is conditional on the cursor item alone, exactly as one DynamoDB condition sees one item: the stored
 * fence must not be newer than the writer's lease version. The in-memory and file layers keep that condition,
 * no stronger, so the pipeline is tested against the semantics the real store has.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Context, Effect, Layer, Ref, Schema } from "effect"
import { Cursor } from "../domain/Cursor.ts"
import { fileKey, type FileRef } from "../domain/LogFile.ts"
import type { Lease } from "./Leases.ts"
import { leaseLost, StateError, StoreUnavailable } from "./StateError.ts"

export class Cursors extends Context.Service<Cursors, {
  readonly get: (ref: FileRef) => Effect.Effect<Cursor | undefined, StateError>
  /** Every cursor of an instance (all files, all generations). */
  readonly list: (instance: string) => Effect.Effect<ReadonlyArray<Cursor>, StateError>
  /** Moves a cursor while `lease` is not older than the fence stored on it; the cursor then carries the lease's fence. */
  readonly put: (lease: Lease, cursor: Cursor) => Effect.Effect<void, StateError>
  /** Forgets the cursor of a file that is gone from the instance. */
  readonly remove: (lease: Lease, ref: FileRef) => Effect.Effect<void, StateError>
}>()("aurora-logs/Cursors") {
  static readonly layerMemory = Layer.effect(
    Cursors,
    Effect.map(Ref.make<ReadonlyMap<string, Cursor>>(new Map()), (table) => makeOnTable(table, () => Effect.void))
  )

  /**
   * Cursors in a JSON file (the demo and small `run` set-ups): every write replaces the file atomically, so a
   * process killed at any point restarts from the last cursor written.
   */
  static readonly layerFile = (path: string) =>
    Layer.effect(
      Cursors,
      Effect.gen(function*() {
        const initial = yield* readCursorFile(path)
        const table = yield* Ref.make<ReadonlyMap<string, Cursor>>(initial)
        return makeOnTable(table, (all) => writeCursorFile(path, all))
      })
    )
}

const makeOnTable = (
  table: Ref.Ref<ReadonlyMap<string, Cursor>>,
  persist: (all: ReadonlyMap<string, Cursor>) => Effect.Effect<void, StateError>
): Cursors["Service"] =>
  Cursors.of({
    get: (ref) => Effect.map(Ref.get(table), (m) => m.get(fileKey(ref))),
    list: (instance) => Effect.map(Ref.get(table), (m) => Array.from(m.values()).filter((c) => c.instance === instance)),
    put: (lease, cursor) =>
      Effect.flatMap(Ref.get(table), (m) => {
        const key = fileKey(cursor)
        const stored = m.get(key)
        if (lease.instance !== cursor.instance || (stored !== undefined && stored.fence > lease.version)) {
          return Effect.fail(leaseLost(cursor.instance))
        }
        const next = new Map(m).set(key, { ...cursor, fence: lease.version })
        return Effect.andThen(Ref.set(table, next), persist(next))
      }),
    remove: (lease, ref) =>
      Effect.flatMap(Ref.get(table), (m) => {
        const key = fileKey(ref)
        const stored = m.get(key)
        if (stored === undefined) return Effect.void
        if (stored.fence > lease.version) return Effect.fail(leaseLost(ref.instance))
        const next = new Map(m)
        next.delete(key)
        return Effect.andThen(Ref.set(table, next), persist(next))
      })
  })

const CursorFile = Schema.fromJsonString(Schema.Array(Schema.Struct({
  ...Cursor.fields,
  carry: Schema.Uint8ArrayFromBase64
})))

const storeError = (message: string) => new StateError({ reason: new StoreUnavailable({ message }) })

const readCursorFile = (path: string) =>
  Effect.gen(function*() {
    const text = yield* Effect.try({
      try: () => (NodeFs.existsSync(path) ? NodeFs.readFileSync(path, "utf8") : "[]"),
      catch: (e) => storeError(`cannot read cursor file ${path}: ${String(e)}`)
    })
    const cursors = yield* Schema.decodeUnknownEffect(CursorFile)(text).pipe(
      Effect.mapError((e) => storeError(`cursor file ${path} is not valid: ${e.message}`))
    )
    return new Map(cursors.map((c) => [fileKey(c), c] as const)) as ReadonlyMap<string, Cursor>
  })

const writeCursorFile = (path: string, all: ReadonlyMap<string, Cursor>) =>
  Effect.flatMap(Schema.encodeEffect(CursorFile)(Array.from(all.values())), (text) =>
    Effect.try({
      try: () => {
        NodeFs.mkdirSync(NodePath.dirname(path), { recursive: true })
        const tmp = `${path}.tmp`
        NodeFs.writeFileSync(tmp, text)
        NodeFs.renameSync(tmp, path)
      },
      catch: (e) => storeError(`cannot write cursor file ${path}: ${String(e)}`)
    })).pipe(Effect.mapError((e) => (e instanceof StateError ? e : storeError(String(e)))))
