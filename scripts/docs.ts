/**
 * Writes the key tables of `docs/pipelines.md` from the phase kinds' schemas, so the reference
 * cannot drift from what velora accepts. Each table sits between two markers:
 *
 *     <!-- keys: infer -->
 *     | key | type | default | meaning |
 *     ...
 *     <!-- end keys -->
 *
 * Usage: deno run -A scripts/docs.ts [--check]   (`deno task docs`; `--check` exits 1 on drift)
 *
 * @module
 */
import { z } from "zod";
import { PHASE_KINDS } from "../src/phases/mod.ts";
import type { PhaseRegistry } from "../src/pipeline/phase.ts";
import { TOP_LEVEL_SHAPE } from "../src/pipeline/schema.ts";

const DOC = new URL("../docs/pipelines.md", import.meta.url);
const BLOCK = /<!-- keys: ([a-z-]+) -->\n[\s\S]*?<!-- end keys -->/g;

type JsonSchema = Record<string, unknown>;

/** The markdown key table of a phase kind (or `pipeline` for the top-level keys). */
export function keyTable(kind: string, registry: PhaseRegistry = PHASE_KINDS): string {
  const schema = kind === "pipeline" ? z.object(TOP_LEVEL_SHAPE) : registry.get(kind)?.schema;
  if (!schema) throw new Error(`No phase kind "${kind}"`);
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  const rows = Object.entries(properties)
    .filter(([key]) => kind === "pipeline" || (key !== "name" && key !== "kind"))
    .map(([key, property]) => [
      `\`${key}\``,
      typeText(property),
      required.has(key) && !("default" in property) ? "required" : defaultText(property),
      markdownText(String(property.description ?? "")),
    ]);
  return [
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

/** A JSON Schema type in words: `integer`, `list of strings`, `"first" or "random"`. */
export function typeText(schema: JsonSchema): string {
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return [...new Set(alternatives.map(typeText))].join(" or ");
  if ("const" in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) {
    return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(" or ");
  }
  switch (schema.type) {
    case "array": {
      const items = typeText((schema.items ?? {}) as JsonSchema);
      return `list of ${plural(items)}`;
    }
    case "object": {
      const values = schema.additionalProperties;
      return typeof values === "object" && values !== null && Object.keys(values).length > 0
        ? `table of ${plural(typeText(values as JsonSchema))}`
        : "table";
    }
    case undefined:
      return "any";
    default:
      return String(schema.type);
  }
}

/** Text for a table cell: pipes escaped, `<placeholders>` shown rather than read as HTML. */
function markdownText(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function plural(type: string): string {
  return /^(string|number|integer|boolean|table)$/.test(type) ? `${type}s` : type;
}

function defaultText(schema: JsonSchema): string {
  if (!("default" in schema)) return "";
  const value = schema.default;
  if (Array.isArray(value) && value.length === 0) return "none";
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0) {
    return "none";
  }
  return `\`${JSON.stringify(value)}\``.replaceAll("|", "\\|");
}

/** `text` with every key table rewritten from the schemas. */
export function withKeyTables(text: string, registry: PhaseRegistry = PHASE_KINDS): string {
  return text.replace(
    BLOCK,
    (_block, kind: string) =>
      `<!-- keys: ${kind} -->\n${keyTable(kind, registry)}\n<!-- end keys -->`,
  );
}

/** Formats markdown the way `deno fmt` does (the file must pass `deno fmt --check`). */
async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  const before = await Deno.readTextFile(DOC);
  const after = await formatMarkdown(withKeyTables(before));
  if (check) {
    if (after !== before) {
      console.error(
        "docs/pipelines.md: the key tables differ from the phase schemas; run `deno task docs`",
      );
      Deno.exit(1);
    }
  } else if (after !== before) {
    await Deno.writeTextFile(DOC, after);
    console.error("docs/pipelines.md: key tables rewritten");
  }
}
