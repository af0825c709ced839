/**
 * Key paths into parsed TOML/YAML data, and where they are in the text.
 *
 * @module
 */

/** A key path into parsed data: object keys and array indexes. */
export type KeyPath = readonly (string | number)[];

/** A 1-based line and column. */
export interface LineCol {
  line: number;
  column: number;
}

/** Formats a key path as `phases[1].command`. */
export function formatKeyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}
