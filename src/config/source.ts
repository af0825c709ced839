/**
 * Reads a TOML or YAML file's text (a pipeline file, `config.toml`) into plain data and keeps a
 * way back from a key path to a line.
 *
 * @module
 */
import { parse as parseToml, TomlError } from "smol-toml";
import { isMap, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../errors.ts";
import { locateTomlKey } from "./_toml_locate.ts";
import type { KeyPath, LineCol } from "./key_path.ts";

/** A parsed TOML or YAML file. */
export interface ParsedSource {
  /** The file name as given by the user (used in messages). */
  file: string;
  /** The format, from the file extension. */
  format: "toml" | "yaml";
  /** The raw text. */
  text: string;
  /** The parsed document. */
  data: unknown;
  /** Finds where a key path is in the text, when it can. */
  locate(path: KeyPath): LineCol | undefined;
}

/** Picks the format from the file extension: `.toml`, `.yaml` or `.yml`. */
export function formatOf(file: string): "toml" | "yaml" {
  const lower = file.toLowerCase();
  if (lower.endsWith(".toml")) return "toml";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  throw new ConfigError({ file }, "expected a .toml, .yaml or .yml pipeline file");
}

/**
 * Parses pipeline text. Syntax errors become a {@linkcode ConfigError} with the file, line and
 * column and the parser's own message (first line only).
 */
export function parseSource(file: string, text: string): ParsedSource {
  const format = formatOf(file);
  return format === "toml" ? parseTomlSource(file, text) : parseYamlSource(file, text);
}

function parseTomlSource(file: string, text: string): ParsedSource {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = firstLine(error.message).replace(/^Invalid TOML document: /, "");
      throw new ConfigError(
        { file, line: error.line, column: error.column },
        `invalid TOML: ${reason}`,
      );
    }
    throw error;
  }
  return { file, format: "toml", text, data, locate: (path) => locateTomlKey(text, path) };
}

function parseYamlSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    throw new ConfigError(
      { file, ...(pos ? { line: pos.line, column: pos.col } : {}) },
      `invalid YAML: ${firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const locate = (path: KeyPath): LineCol | undefined => {
    // Walk up to the nearest ancestor that exists, so a missing key points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const prefix = path.slice(0, depth);
      const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (!range) continue;
      // Point at the key of a map entry (as TOML does), else at the node.
      const offset = (depth > 0 && keyOffset(doc, prefix)) || range[0];
      const { line, col } = lineCounter.linePos(offset);
      return { line, column: col };
    }
    return undefined;
  };
  return { file, format: "yaml", text, data: doc.toJS(), locate };
}

function keyOffset(doc: ReturnType<typeof parseDocument>, path: KeyPath): number | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const pair = parent.items.find((item) =>
    (item.key as { value?: unknown } | null)?.value === last
  );
  return (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}
