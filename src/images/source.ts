/**
 * Where an image archive comes from: a local path or `file://` URI, `s3://bucket/key`, or an
 * `http(s)://` URL. A source can say what it is (size and an identity that changes when the
 * object changes), read a byte range (to find `manifest.json` without a download), and stream
 * the whole archive (see tar_source.ts); {@linkcode sourceFor} picks the kind for a URI.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FileSource } from "./source_file.ts";
import { HttpSource } from "./source_http.ts";
import { type S3Settings, S3Source } from "./source_s3.ts";
import { SourceError, type TarSource } from "./tar_source.ts";

export type { S3Settings };

/** Settings sources need. */
export interface SourceSettings {
  /** Base directory of relative paths. */
  baseDir: string;
  /** S3 endpoint, region and credentials. */
  s3?: S3Settings;
}

/**
 * Makes the source for a path or URI.
 *
 * @throws {SourceError} for a scheme velora cannot load from (`docker://`, a registry
 *   reference).
 */
export function sourceFor(text: string, settings: SourceSettings): TarSource {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === "s3") return new S3Source(text, settings.s3 ?? {});
  if (scheme === "http" || scheme === "https") return new HttpSource(text);
  if (scheme === "file") return new FileSource(fileURLToPath(text), text);
  if (scheme !== undefined) {
    throw new SourceError(
      `unsupported scheme "${scheme}://" (use a path, file://, s3:// or https://)`,
    );
  }
  const archive = /\.(tar|tar\.gz|tgz|tar\.zst|tar\.xz|tar\.bz2)$/i.test(text);
  if (!archive && /^[^/]+\.[^/]+\/.+:[^/]+$/.test(text)) {
    throw new SourceError("a registry image reference, not an archive: pull it with docker");
  }
  return new FileSource(isAbsolute(text) ? text : resolve(settings.baseDir, text), text);
}
