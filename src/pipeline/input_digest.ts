/**
 * Digests of the files a phase reads, kept in the state file: a done phase whose inputs changed
 * runs again. Content decides, not the path or the modification time, up to a size beyond which
 * hashing each run would cost more than it saves (there size and modification time stand in).
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Files larger than this are digested by size and modification time, not content. */
export const HASHED_INPUT_LIMIT = 256 * 1024 * 1024;

/** Path → digest (`sha256:<hex>`, `size:<n>:<mtime>` or `missing`). */
export type InputDigests = Record<string, string>;

/** Digests `paths` (missing files are `missing`). */
export async function digestInputs(paths: readonly string[]): Promise<InputDigests> {
  const out: InputDigests = {};
  for (const path of [...new Set(paths)].sort()) out[path] = await digestFile(path);
  return out;
}

/** The paths whose digest differs between `before` and `now` (either side may lack a path). */
export function changedInputs(before: InputDigests, now: InputDigests): string[] {
  const paths = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...paths].filter((path) => before[path] !== now[path]).sort();
}

async function digestFile(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
  if (!info.isFile) return "not-a-file";
  if (info.size > HASHED_INPUT_LIMIT) return `size:${info.size}:${info.mtime?.getTime() ?? 0}`;
  const hash = createHash("sha256");
  const file = await Deno.open(path, { read: true });
  for await (const chunk of file.readable) hash.update(chunk); // closes the file at the end
  return `sha256:${hash.digest("hex")}`;
}
