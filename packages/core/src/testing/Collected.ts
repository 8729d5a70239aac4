/**
 * For tests of what a structure keeps alive: which of some objects a full collection frees.
 */
import * as NodeV8 from "node:v8"
import * as NodeVm from "node:vm"

/**
 * After the current turn ends (a WeakRef made or read in a turn keeps its target alive until then), runs a full
 * collection and says, for each reference, whether its object was freed. The test's own variables must not hold
 * the objects: make them in a function of their own, not in the (suspended) test.
 */
export const collected = async (refs: ReadonlyArray<WeakRef<object>>): Promise<Array<boolean>> => {
  await new Promise((resolve) => setTimeout(resolve, 0))
  // The flag is set now; the function comes from a fresh context, which sees it.
  NodeV8.setFlagsFromString("--expose-gc")
  ;(NodeVm.runInNewContext("gc") as () => void)()
  return refs.map((ref) => ref.deref() === undefined)
}
