/**
 * Bundles the `aurora-logs` command into one folder of JavaScript that runs with no node_modules beside it: what the
 * container image runs. Only the code a command can reach is kept (effect, kafkajs, undici and the AWS SDK are
 * tree-shaken), and a process then holds less of it: a processor starts with about 38 MiB less resident memory than
 * from the compiled packages (docs/benchmarks.md, "The bundled command"). Each command's modules stay chunks of their
 * own, loaded when the command runs, as in packages/cli/src/main.ts. The demo's fixture logs are copied beside the
 * chunks, where @aurora-logs/testkit looks for them.
 *
 *   node scripts/bundle.ts [OUT_DIR]      (default: packages/cli/bundle; the entry point is OUT_DIR/main.js)
 */
import * as NodeFs from "node:fs"
import { createRequire } from "node:module"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "rolldown"

const ROOT = fileURLToPath(new URL("../", import.meta.url))
export const DEFAULT_BUNDLE_DIR = NodePath.join(ROOT, "packages", "cli", "bundle")

const UNDICI_NAMES = "\0undici-with-names:"

/**
 * @effect/platform-node's `Undici.js` is `export * from "undici"`, and undici is CommonJS: Node finds its names when
 * it loads it, a bundler cannot, and rolldown drops them without a word (the sink's `new undici.Agent()` then fails
 * with "Agent is not a constructor"). That module is replaced by one that names every export undici has.
 */
const undiciWithNames: Plugin = {
  name: "undici-with-names",
  resolveId(source, importer) {
    if (source !== "./Undici.js" || importer === undefined || !importer.includes("@effect/platform-node")) return null
    return UNDICI_NAMES + createRequire(importer).resolve("undici")
  },
  load(id) {
    if (!id.startsWith(UNDICI_NAMES)) return null
    const path = id.slice(UNDICI_NAMES.length)
    const names = Object.keys(createRequire(import.meta.url)(path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== "default")
    return `import Undici from ${JSON.stringify(path)}\nexport default Undici\nexport const { ${names.join(", ")} } = Undici\n`
  }
}

export const bundleCli = async (outDir: string = DEFAULT_BUNDLE_DIR): Promise<string> => {
  NodeFs.rmSync(outDir, { recursive: true, force: true })
  await build({
    input: { main: NodePath.join(ROOT, "packages", "cli", "src", "main.ts") },
    platform: "node",
    // The workspace packages' TypeScript sources (their "source" export), as the tests run them.
    resolve: { conditionNames: ["source", "node", "import", "default"] },
    plugins: [undiciWithNames],
    output: { dir: outDir, format: "esm", sourcemap: true },
    logLevel: "warn"
  })
  NodeFs.cpSync(NodePath.join(ROOT, "packages", "testkit", "fixtures"), NodePath.join(outDir, "fixtures"), { recursive: true })
  // The chunks are ES modules: said so, rather than left to Node's guess from their syntax.
  NodeFs.writeFileSync(NodePath.join(outDir, "package.json"), `${JSON.stringify({ type: "module", private: true }, null, 2)}\n`)
  return NodePath.join(outDir, "main.js")
}

if (import.meta.main) {
  const started = performance.now()
  const main = await bundleCli(process.argv[2] === undefined ? undefined : NodePath.resolve(process.argv[2]))
  console.log(`bundled ${NodePath.relative(process.cwd(), main)} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}
