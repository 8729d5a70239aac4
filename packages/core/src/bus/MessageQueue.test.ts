/**
 * The queue against a plain array as its model, over random sequences of operations.
 */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { MessageQueue } from "./MessageQueue.ts"

type Op =
  | { readonly op: "push"; readonly item: number }
  | { readonly op: "shift" }
  | { readonly op: "take"; readonly n: number }
  | { readonly op: "retain"; readonly modulo: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("push" as const), item: fc.integer() }), weight: 4 },
  fc.record({ op: fc.constant("shift" as const) }),
  fc.record({ op: fc.constant("take" as const), n: fc.integer({ min: 0, max: 6 }) }),
  fc.record({ op: fc.constant("retain" as const), modulo: fc.integer({ min: 2, max: 4 }) })
)

describe("MessageQueue", () => {
  it("gives out what a plain array would, in order, whatever the operations", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const queue = new MessageQueue<number>()
      let model: Array<number> = []
      for (const o of ops) {
        switch (o.op) {
          case "push":
            queue.push(o.item)
            model.push(o.item)
            break
          case "shift":
            assert.strictEqual(queue.shift(), model.shift())
            break
          case "take":
            assert.deepStrictEqual(queue.take(o.n), model.splice(0, o.n))
            break
          case "retain":
            queue.retain((item) => item % o.modulo !== 0)
            model = model.filter((item) => item % o.modulo !== 0)
            break
        }
        assert.strictEqual(queue.size, model.length)
        for (let i = 0; i <= model.length; i++) assert.strictEqual(queue.at(i), model[i])
      }
    }))
  })
})
