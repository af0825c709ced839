/**
 * Loads one `[llm.<name>]` section of an OpenHands-style `config.toml` and checks it before any
 * container starts: unknown sections and keys (with "did you mean"), `${env.X}` references, a
 * missing `api_key`, a `max_output_tokens` above what the model allows, a missing script file.
 * Every problem is one {@linkcode ConfigError} line naming the file, line and key.
 *
 * As in OpenHands, a named section inherits the plain keys of the base `[llm]` table.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { didYouMean } from "../did_you_mean.ts";
import { addSecrets } from "../redact.ts";
import { ConfigError, UsageError } from "../errors.ts";
import { interpolate, InterpolationError, isPlainObject } from "./interpolate.ts";
import { formatKeyPath, type KeyPath } from "./key_path.ts";
import { loadScript } from "./llm_script.ts";
import { type ParsedSource, parseSource } from "./source.ts";
import {
  IGNORED_OPENHANDS_KEYS,
  type LlmConfig,
  llmConfigFromSection,
  llmSectionSchema,
} from "./llm_config.ts";
import { modelInfo } from "./model_info.ts";

/** Options of {@linkcode loadLlmConfig}. */
export interface LoadLlmConfigOptions {
  /** Environment lookup for `${env.X}`. @default Deno.env.get */
  env?: (name: string) => string | undefined;
}

/** The prefix of a scripted model: `model = "scripted:<file>"`. */
export const SCRIPTED_PREFIX = "scripted:";

/**
 * Reads `file` and resolves the section `name` (`llm.gpt`, `gpt`, or `llm` for the base table).
 * Throws a one-line {@linkcode ConfigError} (exit 2) for anything the user must fix.
 */
export async function loadLlmConfig(
  file: string,
  name: string,
  options: LoadLlmConfigOptions = {},
): Promise<LlmConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(`Cannot read LLM config file "${file}": ${reason}`);
  }
  return await resolveLlmConfig(parseSource(file, text), name, options);
}

/** The section names a parsed config file defines, as `llm.<name>` (and `llm` when it has keys). */
export function llmSectionNames(data: unknown): string[] {
  const llm = isPlainObject(data) && isPlainObject(data.llm) ? data.llm : {};
  const names = Object.entries(llm).filter(([, v]) => isPlainObject(v)).map(([k]) => `llm.${k}`);
  const hasBase = Object.values(llm).some((v) => !isPlainObject(v));
  return hasBase ? ["llm", ...names] : names;
}

/** Resolves section `name` of an already parsed config file. */
export async function resolveLlmConfig(
  source: ParsedSource,
  name: string,
  options: LoadLlmConfigOptions = {},
): Promise<LlmConfig> {
  const env = options.env ?? ((key: string) => Deno.env.get(key));
  const fail = (path: KeyPath, detail: string): never => {
    const at = source.locate(path);
    throw new ConfigError({ file: source.file, path: formatKeyPath(path), ...(at ?? {}) }, detail);
  };
  const wanted = name === "llm" ? "llm" : `llm.${name.replace(/^llm\./, "")}`;
  const known = llmSectionNames(source.data);
  if (!known.includes(wanted)) {
    throw new ConfigError(
      { file: source.file },
      `no section [${wanted}]${didYouMean(wanted, known)}; defined: ${known.join(", ") || "none"}`,
    );
  }
  addSecrets(apiKeysOf(source.data, env));
  const raw = collectKeys(source.data, wanted);
  const values: Record<string, unknown> = {};
  const allowed = Object.keys(llmSectionSchema.shape);
  for (const [key, { value, path }] of raw) {
    if (IGNORED_OPENHANDS_KEYS.includes(key)) continue;
    if (!allowed.includes(key)) fail(path, `unknown key "${key}"${didYouMean(key, allowed)}`);
    try {
      values[key] = interpolate(value, { env, defaults: {} }, path);
    } catch (error) {
      if (error instanceof InterpolationError) fail(error.path, error.message);
      throw error;
    }
  }
  const pathOf = (key: string): KeyPath => raw.get(key)?.path ?? wanted.split(".");
  const parsed = llmSectionSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? "");
    const detail = values[key] === undefined ? "missing" : issue.message;
    fail(pathOf(key), key === "model" && detail === "missing" ? "missing model" : detail);
  }
  const section = parsed.data!;

  let scriptFile: string | undefined;
  if (section.model.startsWith(SCRIPTED_PREFIX)) {
    scriptFile = resolve(dirname(source.file), section.model.slice(SCRIPTED_PREFIX.length));
    try {
      await loadScript(scriptFile);
    } catch (error) {
      fail(pathOf("model"), error instanceof Error ? error.message : String(error));
    }
  } else {
    if (!section.api_key) {
      fail(
        pathOf("api_key"),
        `missing api_key: set api_key = "\${env.OPENAI_API_KEY}" (any placeholder for a server that needs none)`,
      );
    }
    const limit = modelInfo(section.model)?.maxOutputTokens;
    if (limit !== undefined && (section.max_output_tokens ?? 0) > limit) {
      fail(
        pathOf("max_output_tokens"),
        `${section.max_output_tokens} is above the ${limit} output tokens model "${section.model}" allows`,
      );
    }
  }
  if ((section.retry_max_wait ?? 64) < (section.retry_min_wait ?? 8)) {
    fail(pathOf("retry_max_wait"), "must not be below retry_min_wait");
  }
  if (section.base_url !== undefined && !/^https?:\/\//i.test(section.base_url)) {
    fail(pathOf("base_url"), `expected an http:// or https:// URL, got "${section.base_url}"`);
  }
  return llmConfigFromSection(wanted, section, scriptFile);
}

/**
 * Every section's `api_key`, resolved where it can be (a reference that does not resolve is left
 * out): all of them are secrets of the process, not only the section in use.
 */
export function apiKeysOf(
  data: unknown,
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): string[] {
  const keys: string[] = [];
  for (const name of llmSectionNames(data)) {
    const raw = collectKeys(data, name).get("api_key");
    if (raw === undefined) continue;
    try {
      const value = interpolate(raw.value, { env, defaults: {} }, raw.path);
      if (typeof value === "string") keys.push(value);
    } catch {
      // an unresolved reference: the section in use reports it
    }
  }
  return keys;
}

/** Reads a config file's `api_key`s into the process's secrets; a missing file adds nothing. */
export async function addLlmConfigSecrets(file: string): Promise<void> {
  try {
    addSecrets(apiKeysOf(parseSource(file, await Deno.readTextFile(file)).data));
  } catch {
    // unreadable or malformed: loading it later reports why
  }
}

interface RawKey {
  value: unknown;
  path: KeyPath;
}

/** The plain keys of `[llm]`, overridden by the keys of `[llm.<name>]`, with where each is. */
function collectKeys(data: unknown, wanted: string): Map<string, RawKey> {
  const llm = (data as { llm: Record<string, unknown> }).llm;
  const keys = new Map<string, RawKey>();
  for (const [key, value] of Object.entries(llm)) {
    if (!isPlainObject(value)) keys.set(key, { value, path: ["llm", key] });
  }
  if (wanted !== "llm") {
    const section = wanted.slice(4);
    for (const [key, value] of Object.entries(llm[section] as Record<string, unknown>)) {
      keys.set(key, { value, path: ["llm", section, key] });
    }
  }
  return keys;
}
