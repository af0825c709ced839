/**
 * Finds which images an archive holds without transferring it: `manifest.json` is read from the
 * archive itself with a few small reads.
 *
 * `docker save` writes entries in name order, so `manifest.json` comes after the layers, near
 * the end (Docker 20.10: `<hex>/layer.tar`..., `<hex>.json`, `manifest.json`, `repositories`;
 * Docker 25+: `blobs/sha256/...`, `index.json`, `manifest.json`, `oci-layout`, `repositories`).
 * The probe reads the first block (to tell a compressed archive). For a local file it then walks
 * the headers from the start, skipping every entry's content by offset: exact, and a few dozen
 * small reads. For a remote object each read is a request, so it first reads the last 64 KiB
 * and looks there for a `manifest.json` header followed only by whole entries and the
 * end-of-archive marker (a nested tar's entry is followed by the outer archive's next header,
 * so it is rejected); only if that fails does it walk, capped at 64 requests.
 *
 * A compressed archive cannot be read from its end: the probe says so, and the loader relies on
 * its cache of earlier loads (see `cache.ts`) for those.
 *
 * @module
 */
import { type ArchiveImage, parseManifest } from "./manifest.ts";
import { SourceError, type SourceInfo, type TarSource } from "./tar_source.ts";
import { BLOCK, findEntryByWalking, findEntryInTail, isZeroBlock, parseHeader } from "./tar.ts";

/** How many bytes of the end of an archive are read first. */
export const TAIL_BYTES = 64 * 1024;
/** Header reads allowed when walking a remote archive (each is one request). */
export const REMOTE_WALK_LIMIT = 64;

/** What a probe found. */
export type ProbeResult =
  | { kind: "manifest"; images: ArchiveImage[] }
  | { kind: "compressed"; format: string }
  | { kind: "unknown"; reason: string; plainTar: boolean };

/** Compression formats by magic number (the engine's load endpoint accepts all of them). */
const MAGIC: [string, number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

/** The compression of an archive from its first bytes, or `undefined` for none. */
export function compressionOf(head: Uint8Array): string | undefined {
  return MAGIC.find(([, magic]) => magic.every((byte, i) => head[i] === byte))?.[0];
}

/**
 * Reads the archive's `manifest.json`.
 *
 * @throws {SourceError} when the archive is plainly not a tar (a bad first header).
 */
export async function probeArchive(
  source: TarSource,
  info: SourceInfo,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const head = await source.readAt(0, BLOCK, signal);
  if (head === undefined) {
    return { kind: "unknown", reason: "the server ignores Range requests", plainTar: false };
  }
  if (head.length === 0) throw new SourceError("empty file");
  const compression = compressionOf(head);
  if (compression) return { kind: "compressed", format: compression };
  if (head.length < BLOCK || (!isZeroBlock(head) && !parseHeader(head))) {
    throw new SourceError("not a tar archive (no valid tar header at byte 0)");
  }

  const readAt = async (offset: number, length: number) => {
    const bytes = await source.readAt(offset, length, signal);
    if (bytes === undefined) throw new RangeUnsupported();
    return bytes;
  };
  try {
    if (!source.local && info.size !== undefined) {
      const start = Math.max(0, Math.floor((info.size - TAIL_BYTES) / BLOCK) * BLOCK);
      const tail = await readAt(start, info.size - start);
      const found = findEntryInTail(tail, start, "manifest.json");
      if (found) {
        const at = found.offset - start;
        return { kind: "manifest", images: parseManifest(tail.subarray(at, at + found.size)) };
      }
    }
    const found = await findEntryByWalking(
      readAt,
      "manifest.json",
      info.size,
      source.local ? Infinity : REMOTE_WALK_LIMIT,
    );
    if ("offset" in found) {
      return { kind: "manifest", images: parseManifest(await readAt(found.offset, found.size)) };
    }
    if (found.end === "truncated") {
      throw new SourceError(
        found.entry
          ? `truncated tar: it ends at byte ${found.at}, inside entry "${found.entry}" ` +
            `(which ends at byte ${found.entryEnd})`
          : found.at % BLOCK !== 0
          ? `truncated tar: it ends at byte ${found.at}, inside a header`
          : `truncated tar: it ends at byte ${found.at} without the end-of-archive marker`,
      );
    }
    if (found.end === "corrupt") throw new SourceError(`bad tar header at byte ${found.at}`);
    const reason = found.end === "marker"
      ? "the archive has no manifest.json"
      : "manifest.json is not near either end";
    return { kind: "unknown", reason, plainTar: true };
  } catch (error) {
    if (error instanceof RangeUnsupported) {
      return { kind: "unknown", reason: "the server ignores Range requests", plainTar: true };
    }
    if (error instanceof SourceError) throw error;
    return { kind: "unknown", reason: (error as Error).message, plainTar: true };
  }
}

class RangeUnsupported extends Error {}
