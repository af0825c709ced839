/**
 * `SKIP_IDS` (the seed's environment variable, a comma list) joins the `skip_ids` of every phase
 * kind that has the key, in a pipeline and in a command alike.
 *
 * @module
 */
import { objectShape } from "./_zod.ts";
import type { PhaseKind } from "./phase.ts";

/** `params` with `SKIP_IDS` merged into `skip_ids` when `kind` has that key (a new object). */
export function mergeSkipIds(
  kind: PhaseKind,
  params: Record<string, unknown>,
  env: (name: string) => string | undefined,
): Record<string, unknown> {
  const skipIds = (env("SKIP_IDS") ?? "").split(",").map((id) => id.trim()).filter(Boolean);
  if (skipIds.length === 0 || !objectShape(kind.schema)?.skip_ids) return { ...params };
  const own = Array.isArray(params.skip_ids) ? params.skip_ids.map(String) : [];
  return { ...params, skip_ids: [...new Set([...own, ...skipIds])] };
}
