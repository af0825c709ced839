/**
 * The layer check of `deno task check`: imports between `src/`'s folders point down the layer
 * order ({@linkcode LAYERS}), never up, and no modules import each other in a loop.
 *
 *     deno run -A scripts/check_layers.ts
 *
 * It reads the module graph from `deno info --json` (static, dynamic and type-only imports) and
 * prints one line per violation, naming both files; it exits 1 when there is any. Two more rules:
 * `runtime-server/` is standalone (it imports nothing outside itself; `src/` may import it, for the
 * wire protocol's types and the `runtime-server` command), and nothing in `src/` imports `main.ts`.
 *
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/**
 * `src/`'s folders from the ground up. A module may import modules of its own folder and of the
 * folders below it; `ground` stands for the files directly in `src/` (errors.ts, fs.ts, ...).
 * A new folder must be placed here before anything imports it.
 */
export const LAYERS: readonly string[] = [
  "ground",
  "docker",
  "registry",
  "dataset",
  "config",
  "output",
  "runtime",
  "agent",
  "images",
  "evaluate",
  "infer",
  "report",
  "export",
  "collect",
  "derive",
  "pipeline",
  "ui",
  "phases",
  "cli",
];

/** One import: both modules as paths relative to the repository root. */
export interface Import {
  from: string;
  to: string;
}

/** The layer a repository path belongs to: a folder of {@linkcode LAYERS}, or a zone outside. */
export function layerOf(path: string): string {
  if (path === "main.ts") return "main";
  if (path.startsWith("runtime-server/")) return "runtime-server";
  if (!path.startsWith("src/")) return "outside";
  const parts = path.slice(4).split("/");
  return parts.length === 1 ? "ground" : parts[0]!;
}

/** The problem with one import, or undefined when it is allowed. */
export function importProblem(
  edge: Import,
  layers: readonly string[] = LAYERS,
): string | undefined {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  if (from === "outside" || to === "outside" || from === "main") return undefined;
  if (from === "runtime-server") {
    return to === "runtime-server"
      ? undefined
      : "runtime-server/ is standalone and imports nothing outside itself";
  }
  if (to === "main") return "nothing in src/ imports main.ts";
  if (to === "runtime-server") return undefined;
  if (from === to) return undefined;
  const high = layers.indexOf(from);
  const low = layers.indexOf(to);
  if (high === -1) return `folder "${from}" is not in the layer order (scripts/check_layers.ts)`;
  if (low === -1) return `folder "${to}" is not in the layer order (scripts/check_layers.ts)`;
  return low < high ? undefined : `${from} may not import ${to}, which is above it`;
}

/** Groups of modules that import each other in a loop (Tarjan's strongly connected components). */
export function importLoops(edges: readonly Import[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    if (!next.has(to)) next.set(to, []);
    next.get(from)!.push(to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const target of next.get(node)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) loops.push(group.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return loops;
}

/** Every violation of the rules, one line each, sorted. */
export function checkImports(
  edges: readonly Import[],
  layers: readonly string[] = LAYERS,
): string[] {
  const lines: string[] = [];
  for (const edge of edges) {
    const problem = importProblem(edge, layers);
    if (problem) lines.push(`${edge.from} imports ${edge.to}: ${problem}`);
  }
  const inTree = edges.filter((e) => layerOf(e.from) !== "outside" && layerOf(e.to) !== "outside");
  for (const loop of importLoops(inTree)) {
    lines.push(`${loop[0]} imports itself through ${loop.slice(1).join(", ")}: a loop`);
  }
  return [...new Set(lines)].sort();
}

/** The `.ts` files of a folder, recursively, as absolute paths. */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await sourceFiles(path));
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier?: string }; type?: { specifier?: string } }[];
}

/** The imports among the repository's own modules (`main.ts`, `src/`, `runtime-server/`). */
export async function repositoryImports(root: string = ROOT): Promise<Import[]> {
  const files = [
    join(root, "main.ts"),
    ...await sourceFiles(join(root, "src")),
    ...await sourceFiles(join(root, "runtime-server")),
  ];
  const dir = await Deno.makeTempDir({ prefix: "velora-layers-" });
  try {
    const entry = join(dir, "all.ts");
    await Deno.writeTextFile(
      entry,
      files.map((file) => `import ${JSON.stringify(pathToFileURL(file).href)};\n`).join(""),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(root, "deno.json"), entry],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: InfoModule[];
    };
    const own = (specifier: string | undefined) => {
      if (!specifier?.startsWith("file:")) return undefined;
      const path = relative(root, fileURLToPath(specifier));
      return path.startsWith("..") ? undefined : path;
    };
    const edges: Import[] = [];
    for (const module of graph.modules) {
      const from = own(module.specifier);
      if (!from) continue;
      for (const dependency of module.dependencies ?? []) {
        for (const to of new Set([dependency.code?.specifier, dependency.type?.specifier])) {
          const target = own(to);
          if (target && target !== from) edges.push({ from, to: target });
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const edges = await repositoryImports();
  const violations = checkImports(edges);
  for (const line of violations) console.error(line);
  if (violations.length > 0) {
    console.error(`Layer check: ${violations.length} violations (order: ${LAYERS.join(" < ")})`);
    Deno.exit(1);
  }
  const modules = new Set(edges.flatMap((e) => [e.from, e.to])).size;
  console.error(`Layer check: ${modules} modules, every import points down, no loops`);
}
