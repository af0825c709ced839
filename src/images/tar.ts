/**
 * Just enough of the tar format to find `manifest.json` in a `docker save` archive without
 * reading the layers, and to tell a truncated archive from a whole one while it streams by.
 *
 * Formats: ustar, GNU (long names `L`, base-256 sizes) and pax (`x` records `path` and `size`).
 *
 * @module
 */
import { VeloraError } from "../errors.ts";

/** Size of a tar block. */
export const BLOCK = 512;

/** One parsed tar header. */
export interface TarHeader {
  /** Entry name (ustar prefix joined, leading `./` removed). */
  name: string;
  /** Size of the entry's content in bytes. */
  size: number;
  /** Type flag: `0` file, `5` directory, `x` pax, `L` GNU long name, ... */
  type: string;
}

const decoder = new TextDecoder();

/** Reads a NUL-terminated string field. */
function field(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

/** Reads a numeric field: octal text, or GNU base-256 when the high bit is set. */
function numeric(block: Uint8Array, start: number, length: number): number | undefined {
  const bytes = block.subarray(start, start + length);
  if ((bytes[0]! & 0x80) !== 0) {
    let value = bytes[0]! & 0x7f;
    for (const byte of bytes.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field(block, start, length).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) return undefined;
  return parseInt(text, 8);
}

/** Whether a block is all zeros (the end-of-archive marker is two of them). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** Normalizes an entry name: no leading `./`, no trailing `/`. */
function normalizeName(name: string): string {
  return name.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

/**
 * Parses a 512-byte header block; `undefined` when it is not a valid header (bad checksum or
 * size). Zero blocks are not headers: check {@linkcode isZeroBlock} first.
 */
export function parseHeader(block: Uint8Array): TarHeader | undefined {
  if (block.length < BLOCK) return undefined;
  const stored = numeric(block, 148, 8);
  if (stored === undefined) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  if (sum !== stored) return undefined;
  const size = numeric(block, 124, 12);
  if (size === undefined) return undefined;
  const magic = field(block, 257, 6);
  const prefix = magic.startsWith("ustar") ? field(block, 345, 155) : "";
  const base = field(block, 0, 100);
  const name = normalizeName(prefix ? `${prefix}/${base}` : base);
  const type = String.fromCharCode(block[156]!) === "\0" ? "0" : String.fromCharCode(block[156]!);
  return { name, size, type };
}

/** Bytes an entry takes after its header: its size rounded up to whole blocks. */
export function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** Parses pax extended header records (`<len> key=value\n`...). */
export function parsePax(bytes: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < bytes.length) {
    const space = bytes.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(decoder.decode(bytes.subarray(at, space)));
    if (!Number.isSafeInteger(length) || length <= 0 || at + length > bytes.length) break;
    const record = decoder.decode(bytes.subarray(space + 1, at + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

/** Reads `length` bytes at `offset` of an archive (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

/** Where a named entry's content is. */
export interface FoundEntry {
  /** Offset of the content (after the header). */
  offset: number;
  /** Content size. */
  size: number;
}

/** Why a walk stopped without finding the entry. */
export type WalkEnd =
  /** The end-of-archive marker: the archive is whole and has no such entry. */
  | { end: "marker" }
  /** The data ends before the archive does: truncated at `at`, inside `entry` if named. */
  | { end: "truncated"; at: number; entry?: string; entryEnd?: number }
  /** A block that is not a header: corrupt at `at`. */
  | { end: "corrupt"; at: number }
  /** The header budget ran out. */
  | { end: "limit" };

/**
 * Walks the headers of an uncompressed archive from the start, reading only header blocks (the
 * content of every other entry is skipped by offset), until an entry named `name` is found.
 *
 * @param size the archive's size when known: an entry that runs past it is a truncation.
 * @param maxHeaders stop after this many headers, for costly readers.
 */
export async function findEntryByWalking(
  readAt: ReadAt,
  name: string,
  size: number | undefined,
  maxHeaders = Infinity,
): Promise<FoundEntry | WalkEnd> {
  let offset = 0;
  let longName: string | undefined;
  let pax = new Map<string, string>();
  for (let count = 0; count < maxHeaders; count++) {
    const block = await readAt(offset, BLOCK);
    if (block.length < BLOCK) return { end: "truncated", at: offset + block.length };
    if (isZeroBlock(block)) return { end: "marker" };
    const header = parseHeader(block);
    if (!header) return { end: "corrupt", at: offset };
    const contentOffset = offset + BLOCK;
    if (header.type === "x" || header.type === "L") {
      const content = await readAt(contentOffset, header.size);
      if (content.length < header.size) {
        return { end: "truncated", at: contentOffset + content.length };
      }
      if (header.type === "x") pax = parsePax(content);
      else longName = normalizeName(field(content, 0, content.length));
      offset = contentOffset + paddedSize(header.size);
      continue;
    }
    const entrySize = pax.has("size") ? Number(pax.get("size")) : header.size;
    const entryName = pax.has("path") ? normalizeName(pax.get("path")!) : longName ?? header.name;
    if (header.type !== "g") {
      if (entryName === name) return { offset: contentOffset, size: entrySize };
      longName = undefined;
      pax = new Map();
    }
    if (size !== undefined && contentOffset + entrySize > size) {
      return { end: "truncated", at: size, entry: entryName, entryEnd: contentOffset + entrySize };
    }
    offset = contentOffset + paddedSize(entrySize);
  }
  return { end: "limit" };
}

/**
 * Finds an entry named `name` in the last bytes of an archive: `tail` holds the archive's bytes
 * from `tailOffset` (a multiple of 512) to its end. A candidate counts only if every block after
 * it parses as a header or a zero block up to the end, so a tar nested inside a layer is never
 * mistaken for the outer archive's entry.
 */
export function findEntryInTail(
  tail: Uint8Array,
  tailOffset: number,
  name: string,
): FoundEntry | undefined {
  if (tailOffset % BLOCK !== 0) throw new Error("the tail must start on a block boundary");
  for (let at = Math.floor((tail.length - BLOCK) / BLOCK) * BLOCK; at >= 0; at -= BLOCK) {
    const block = tail.subarray(at, at + BLOCK);
    if (isZeroBlock(block)) continue;
    const header = parseHeader(block);
    if (!header || header.name !== name || header.type !== "0") continue;
    const end = at + BLOCK + paddedSize(header.size);
    if (end <= tail.length && restIsWellFormed(tail, end)) {
      return { offset: tailOffset + at + BLOCK, size: header.size };
    }
  }
  return undefined;
}

/** Whether the bytes from `at` to the end are whole entries followed by zero blocks. */
function restIsWellFormed(tail: Uint8Array, at: number): boolean {
  let sawZero = false;
  while (at + BLOCK <= tail.length) {
    const block = tail.subarray(at, at + BLOCK);
    if (isZeroBlock(block)) {
      sawZero = true;
      at += BLOCK;
      continue;
    }
    if (sawZero) return false;
    const header = parseHeader(block);
    if (!header) return false;
    at += BLOCK + paddedSize(header.size);
  }
  return at === tail.length && sawZero;
}

/** A stream that is not a whole tar archive: truncated, or not a tar at all. Exit 1. */
export class TarFormatError extends VeloraError {}

/**
 * A pass-through stream that checks the tar structure of what flows through it: every header
 * is valid and the archive ends with its end-of-archive marker. It reads headers only and keeps
 * no content; a short or corrupt archive errors the stream with a {@linkcode TarFormatError}
 * that says where.
 */
export function tarChecker(): TransformStream<Uint8Array, Uint8Array> {
  let position = 0; // bytes seen
  let skip = 0; // content bytes (with padding) left in the current entry
  let entry = ""; // name of the current entry
  let entryEnd = 0; // where the current entry's content ends (unpadded)
  let pending = new Uint8Array(0); // a header split across chunks
  let zeros = 0; // zero blocks seen at the end
  let pax = new Map<string, string>();
  let longName: string | undefined;
  let collect: { type: string; bytes: Uint8Array; filled: number } | undefined;

  const onHeader = (block: Uint8Array, at: number) => {
    if (isZeroBlock(block)) {
      zeros++;
      return;
    }
    if (zeros > 0) {
      throw new TarFormatError(`data after the end-of-archive marker at byte ${at}`);
    }
    const header = parseHeader(block);
    if (!header) {
      throw new TarFormatError(
        at === 0 ? "not a tar archive (no valid header at byte 0)" : `bad tar header at byte ${at}`,
      );
    }
    if (header.type === "x" || header.type === "L") {
      collect = { type: header.type, bytes: new Uint8Array(header.size), filled: 0 };
      skip = paddedSize(header.size);
      entryEnd = at + BLOCK + header.size;
      entry = header.type === "x" ? "(pax header)" : "(long name)";
      return;
    }
    const size = pax.has("size") ? Number(pax.get("size")) : header.size;
    entry = pax.has("path") ? normalizeName(pax.get("path")!) : longName ?? header.name;
    if (header.type !== "g") {
      pax = new Map();
      longName = undefined;
    }
    skip = paddedSize(size);
    entryEnd = at + BLOCK + size;
  };

  let headerStart = 0; // where the header being read starts
  return new TransformStream({
    transform(chunk, controller) {
      let at = 0;
      while (at < chunk.length) {
        if (skip > 0) {
          const take = Math.min(skip, chunk.length - at);
          if (collect) {
            const part = chunk.subarray(
              at,
              at + Math.min(take, collect.bytes.length - collect.filled),
            );
            collect.bytes.set(part, collect.filled);
            collect.filled += part.length;
          }
          skip -= take;
          at += take;
          position += take;
          if (skip === 0 && collect) {
            if (collect.type === "x") pax = parsePax(collect.bytes);
            else longName = normalizeName(field(collect.bytes, 0, collect.bytes.length));
            collect = undefined;
          }
          continue;
        }
        if (pending.length === 0) headerStart = position;
        const take = Math.min(BLOCK - pending.length, chunk.length - at);
        const part = chunk.subarray(at, at + take);
        at += take;
        position += take;
        let block = part;
        if (pending.length > 0 || take < BLOCK) {
          const joined = new Uint8Array(pending.length + take);
          joined.set(pending);
          joined.set(part, pending.length);
          pending = joined;
          if (pending.length < BLOCK) continue;
          block = pending;
          pending = new Uint8Array(0);
        }
        onHeader(block, headerStart);
      }
      controller.enqueue(chunk);
    },
    flush() {
      if (skip > 0 || pending.length > 0) {
        throw new TarFormatError(
          skip > 0
            ? `truncated tar: it ends at byte ${position}, inside entry "${entry}" ` +
              `(which ends at byte ${entryEnd})`
            : `truncated tar: it ends at byte ${position}, inside a header`,
        );
      }
      if (zeros === 0) {
        throw new TarFormatError(
          position === 0
            ? "empty file"
            : `truncated tar: it ends at byte ${position} without the end-of-archive marker`,
        );
      }
    },
  });
}
