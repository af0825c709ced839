/**
 * One phase kind as a command: `velora export`, `report`, `evaluate`, `images load`, `collect` and
 * `infer` map their flags to a phase table and hand it here. The table is checked against the
 * kind's schema (the same check a pipeline file gets), then the phase runs with a command's
 * context: no run directory, no state file, progress on stderr, result lines on stdout.
 *
 * @module
 */
import { stopNowRegistry } from "./stop_now.ts";
import { UsageError } from "../errors.ts";
import { redact } from "../redact.ts";
import { type PhaseContext, type PhaseKind, type PhaseSummary, renderKeys } from "./phase.ts";
import { mergeSkipIds } from "./skip_ids.ts";

/** What a command hands {@linkcode runKind} besides the table. */
export interface KindIO {
  /** Aborted on the first ^C. */
  signal: AbortSignal;
  /**
   * How the command names a key of the table, for messages: a flag, or a word for an argument.
   * @default `--<key>` with `-` for `_`
   */
  labels?: Readonly<Record<string, string>>;
  /** Progress lines. @default a line on stderr */
  log?: (line: string) => void;
  /** Result lines. @default a line on stdout */
  result?: (line: string) => void;
  /** Called with a function that kills the phase's child processes (second ^C). */
  onKillChildren?: (kill: () => unknown) => void;
  /** Environment lookup (`SKIP_IDS`). @default Deno.env.get */
  env?: (name: string) => string | undefined;
}

/**
 * Checks `params` (without `kind`; keys left `undefined` are dropped) against the kind's schema
 * and runs the phase. A bad value is one {@linkcode UsageError} line naming the flag.
 */
export async function runKind(
  kind: PhaseKind,
  params: Record<string, unknown>,
  io: KindIO,
): Promise<PhaseSummary> {
  const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  const table = mergeSkipIds(kind, { ...given, kind: kind.kind }, io.env ?? Deno.env.get);
  const parsed = kind.schema.safeParse(table);
  if (!parsed.success) throw kindError(parsed.error.issues[0]!, table, io.labels ?? {});
  await kind.check?.(parsed.data, { upstream: false });

  const stopNow = stopNowRegistry();
  io.onKillChildren?.(stopNow.stop);
  const ctx: PhaseContext = {
    phase: kind.kind,
    signal: io.signal,
    redact: (text) => redact(text),
    log: (line) => (io.log ?? console.error)(redact(line)),
    result: (line) => (io.result ?? console.log)(redact(line)),
    trackChild: stopNow.trackChild,
    onStopNow: stopNow.onStopNow,
  };
  return await kind.run(parsed.data, ctx);
}

/** The label of a key: the command's own, else `--<key>` with `-` for `_`. */
export function keyLabel(key: string, labels: Readonly<Record<string, string>>): string {
  return labels[key] ?? `--${key.replaceAll("_", "-")}`;
}

function kindError(
  issue: { path: readonly PropertyKey[]; message: string; code: string },
  table: Record<string, unknown>,
  labels: Readonly<Record<string, string>>,
): Error {
  const label = (key: string) => keyLabel(key, labels);
  const message = renderKeys(issue.message, label);
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    // The command built a key its kind does not have: a bug, not a user error.
    return new Error(`The command gave the phase an unknown key: ${message}`);
  }
  if (path.length === 0) return new UsageError(message.charAt(0).toUpperCase() + message.slice(1));
  let value: unknown = table;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  const shown = value === undefined ? "" : ` ${JSON.stringify(value)}`;
  return new UsageError(`Cannot use ${label(String(path[0]))}${shown}: ${message}`);
}
