/**
 * The alias tags the infer and evaluate phases resolve, rendered from templates.
 *
 * Placeholders: `{instance_id}` as in the dataset; `{id}` the same lowercased with `__` → `_s_`
 * (SWE-bench style ids); `{org}` and `{repo}` from the row's `owner/name`; `{number}` the row's
 * `number`, else the text after the last `-` of the id (the whole id when it has none). The
 * repository part of a rendered tag (before `:tag`) is lowercased, as Docker requires.
 *
 * @module
 */

/** The default alias templates: the two tags OpenHands and the evaluators resolve. */
export const DEFAULT_ALIAS_TEMPLATES: readonly string[] = [
  "mswebench/sweb.eval.x86_64.{id}:latest",
  "mswebench/{org}_m_{repo}:pr-{number}",
];

/** The default pattern of the tag inside an archive that names its instance. */
export const DEFAULT_SOURCE_TAG = "velora/{instance_id}:base";

/** Placeholders templates may use. */
export const PLACEHOLDERS = ["instance_id", "id", "org", "repo", "number"] as const;

/** What an instance contributes to its aliases. */
export interface InstanceVars {
  /** The dataset's `instance_id`. */
  instance_id: string;
  /** `owner/name`. */
  repo?: string;
  /** The pull request number, when the row has one. */
  number?: string | number;
}

/** Placeholders in a template that velora does not know, for schema errors. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!).filter((name) =>
    !(PLACEHOLDERS as readonly string[]).includes(name)
  );
}

const HOST = String
  .raw`(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::\d+)?/|[a-zA-Z0-9-]+:\d+/|localhost/)`;
const COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const REFERENCE = new RegExp(
  String.raw`^${HOST}?${COMPONENT}(?:/${COMPONENT})*:[\w][\w.-]{0,127}$`,
);

/** Whether `ref` is a valid `repo:tag` reference. */
export function isValidReference(ref: string): boolean {
  return REFERENCE.test(ref);
}

/** The variables of an instance. */
export function variablesOf(vars: InstanceVars): Record<string, string | undefined> {
  const id = vars.instance_id;
  const [org, repo] = vars.repo?.includes("/") ? vars.repo.split("/", 2) : [undefined, undefined];
  return {
    instance_id: id,
    id: id.replaceAll("__", "_s_").toLowerCase(),
    org,
    repo,
    number: vars.number !== undefined && vars.number !== ""
      ? String(vars.number)
      : id.slice(id.lastIndexOf("-") + 1),
  };
}

/** A rendered alias, or why it could not be. */
export type RenderedAlias = { ref: string } | { skipped: string };

/** Renders one template for an instance. */
export function renderAlias(template: string, vars: InstanceVars): RenderedAlias {
  const values = variablesOf(vars);
  const missing: string[] = [];
  const text = template.replace(/\{([^}]*)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === "") missing.push(name);
    return value ?? "";
  });
  if (missing.length > 0) {
    return { skipped: `"${template}" needs {${missing.join("}, {")}}, which the row lacks` };
  }
  const colon = text.lastIndexOf(":");
  const ref = colon > text.lastIndexOf("/")
    ? text.slice(0, colon).toLowerCase() + text.slice(colon)
    : `${text.toLowerCase()}:latest`;
  if (!isValidReference(ref)) return { skipped: `"${ref}" is not a valid image reference` };
  return { ref };
}

/**
 * The instance id named by one of an archive's tags, by a pattern like `velora/{instance_id}:base`,
 * or `undefined` when no tag matches.
 */
export function instanceFromTags(pattern: string, tags: readonly string[]): string | undefined {
  const [before, after] = pattern.split("{instance_id}", 2) as [string, string | undefined];
  if (after === undefined) return undefined;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const regex = new RegExp(`^${escape(before)}(.+?)${escape(after)}$`);
  for (const tag of tags) {
    const id = regex.exec(tag)?.[1];
    if (id) return id;
  }
  return undefined;
}
