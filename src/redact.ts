/**
 * Masking secrets. The process has one set of secrets, computed once on first use:
 *
 * - the values of environment variables whose names look secret ({@linkcode isSecretName}),
 *   whether or not a pipeline references them;
 * - every `api_key` of an LLM config file, added by the config loader ({@linkcode addSecrets}).
 *
 * Values shorter than {@linkcode MIN_SECRET_LENGTH} characters are never secrets: masking `true`
 * or `1234` everywhere would garble output and protect nothing. Everything velora prints or
 * writes (terminal, phase logs, state file, `output.jsonl`, `metadata.json`, `llm_completions`,
 * evaluation outputs, reports) passes through {@linkcode redact}, which replaces each secret, and
 * its JSON-escaped form, with `****`.
 *
 * @module
 */

/** What a secret is replaced with. */
export const MASK = "****";

/** Values shorter than this are not masked. */
export const MIN_SECRET_LENGTH = 8;

/** Name parts that make an environment variable secret. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|(^|_)PASS$/i;

/** Well-known secret variables (each also matches the name rule; listed for the record). */
export const SECRET_NAMES: readonly string[] = [
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "AZURE_OPENAI_API_KEY",
  "GEMINI_API_KEY",
  "HF_TOKEN",
  "HUGGING_FACE_HUB_TOKEN",
  "LLM_API_KEY",
];

/** Whether an environment variable's value is a secret by its name. */
export function isSecretName(name: string): boolean {
  return SECRET_NAMES.includes(name) || SECRET_NAME.test(name);
}

/** The secret values of an environment (names that look secret, values long enough). */
export function secretsOfEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && isSecretValue(value))
    .map(([, value]) => value!);
}

let processSecrets: Set<string> | undefined;
let ordered: string[] | undefined;

function own(): Set<string> {
  if (processSecrets === undefined) {
    let env: Record<string, string> = {};
    try {
      env = Deno.env.toObject();
    } catch {
      // no permission to read the environment: nothing from it to mask
    }
    processSecrets = new Set(secretsOfEnv(env));
  }
  return processSecrets;
}

/** The process's secrets: the environment's, then any added. */
export function secrets(): ReadonlySet<string> {
  return own();
}

/** Adds values (an LLM config's `api_key`s) to the process's secrets; short ones are ignored. */
export function addSecrets(values: Iterable<string | undefined>): void {
  const set = own();
  for (const value of values) {
    if (isSecretValue(value) && !set.has(value)) {
      set.add(value);
      ordered = undefined;
    }
  }
}

/**
 * Replaces every secret in a text with `****`, raw or JSON-escaped. Without `values`, the
 * process's secrets; values shorter than {@linkcode MIN_SECRET_LENGTH} are skipped.
 */
export function redact(text: string, values?: Iterable<string>): string {
  return mask(text, listOf(values));
}

/** Replaces secrets in every string of a JSON value (in place for objects; returns the value). */
export function redactDeep(value: unknown, values?: Iterable<string>): unknown {
  const list = listOf(values);
  return list.length === 0 ? value : maskDeep(value, list);
}

function maskDeep(value: unknown, list: readonly string[]): unknown {
  if (typeof value === "string") return mask(value, list);
  if (Array.isArray(value)) {
    value.forEach((item, i) => (value[i] = maskDeep(item, list)));
  } else if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = maskDeep(record[key], list);
  }
  return value;
}

function listOf(values: Iterable<string> | undefined): readonly string[] {
  return values === undefined ? (ordered ??= longestFirst(own())) : longestFirst(values);
}

function mask(text: string, list: readonly string[]): string {
  let out = text;
  for (const secret of list) {
    out = out.replaceAll(secret, MASK);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.replaceAll(escaped, MASK);
  }
  return out;
}

function isSecretValue(value: string | undefined): value is string {
  return value !== undefined && value.length >= MIN_SECRET_LENGTH;
}

/** Longer secrets first, so that one inside another does not leave the rest in clear. */
function longestFirst(values: Iterable<string>): string[] {
  return [...new Set(values)].filter(isSecretValue).sort((a, b) => b.length - a.length);
}
