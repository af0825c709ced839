import type { KeyPath, LineCol } from "./key_path.ts";

/**
 * Finds the line of a key path in TOML text. smol-toml keeps no positions, so this reads the
 * table headers and `key =` lines; it returns the deepest known ancestor when the key itself is
 * not written out (a missing key, or one inside an inline table).
 */
export function locateTomlKey(text: string, path: KeyPath): LineCol | undefined {
  const arrayCounts = new Map<string, number>();
  let table: (string | number)[] = [];
  let best: { depth: number; at: LineCol } | undefined;

  const consider = (entryPath: readonly (string | number)[], at: LineCol) => {
    if (entryPath.length > path.length) return;
    if (!entryPath.every((part, i) => part === path[i])) return;
    if (!best || entryPath.length > best.depth) best = { depth: entryPath.length, at };
  };

  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const column = raw.length - raw.trimStart().length + 1;
    const at = { line: index + 1, column };
    const arrayHeader = line.match(/^\[\[\s*([^\]]+?)\s*\]\]/);
    const header = line.match(/^\[\s*([^\]]+?)\s*\]/);
    if (arrayHeader?.[1]) {
      const name = splitKey(arrayHeader[1]);
      const id = name.join(".");
      const count = arrayCounts.get(id) ?? 0;
      arrayCounts.set(id, count + 1);
      table = [...name, count];
      consider(table, at);
    } else if (header?.[1]) {
      table = splitKey(header[1]);
      consider(table, at);
    } else {
      const key = line.match(/^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_\-.\s])+?)\s*=/);
      if (key?.[1]) consider([...table, ...splitKey(key[1])], at);
    }
  });
  return best?.at;
}

function splitKey(key: string): string[] {
  const parts: string[] = [];
  for (const match of key.matchAll(/"([^"]*)"|'([^']*)'|([^.\s"']+)/g)) {
    parts.push(match[1] ?? match[2] ?? match[3] ?? "");
  }
  return parts;
}
