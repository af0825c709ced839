/**
 * What the image loader needs from a Docker engine, as an interface: the real one goes through
 * `src/docker/`, tests wrap it to count calls (a re-run must make no load call).
 *
 * @module
 */
import { statfs } from "node:fs/promises";
import { type Docker, dockerEndpoint } from "../docker/client.ts";
import {
  engineInfo,
  type ImageInfo,
  inspectImage,
  listImages,
  loadImageArchive,
  type LoadResult,
  pruneDanglingImages,
  pushImage,
  type PushProgress,
  type PushResult,
  removeImage,
  tagImage,
} from "../docker/images.ts";

export type { ImageInfo, LoadResult, PushProgress, PushResult };

/** Image operations of an engine. */
export interface ImageEngine {
  /** The image a tag or id names, or `undefined`. */
  inspect(ref: string): Promise<ImageInfo | undefined>;
  /** Every image with its tags. */
  list(): Promise<ImageInfo[]>;
  /** Streams an archive into the engine's load endpoint. */
  load(archive: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<LoadResult>;
  /** Points `ref` at `image`. */
  tag(image: string, ref: string): Promise<void>;
  /** Removes a tag or an untagged image (never forced); false when there was none. */
  remove(ref: string): Promise<boolean>;
  /** Removes the engine's dangling images; returns the bytes reclaimed. */
  pruneDangling(): Promise<number>;
  /**
   * Pushes `image` (a tag or id) to a registry as `target`, leaving no extra tag behind.
   * @throws {import("../docker/images.ts").ImagePushError} naming the registry.
   */
  push(
    image: string,
    target: string,
    onProgress?: (progress: PushProgress) => void,
    signal?: AbortSignal,
  ): Promise<PushResult>;
  /** Free bytes on the engine's data root, when this machine can see it. */
  diskFree?(): Promise<number | undefined>;
}

/** The engine behind a dockerode client. */
export function dockerEngine(docker: Docker): ImageEngine {
  let rootDir: Promise<string | undefined> | undefined;
  return {
    inspect: (ref) => inspectImage(docker, ref),
    list: () => listImages(docker),
    load: (archive, signal) => loadImageArchive(docker, archive, signal),
    tag: (image, ref) => tagImage(docker, image, ref),
    remove: (ref) => removeImage(docker, ref),
    pruneDangling: () => pruneDanglingImages(docker),
    push: (image, target, onProgress, signal) =>
      pushImage(docker, image, target, onProgress, signal),
    diskFree() {
      rootDir ??= engineInfo(docker).then((info) => info.rootDir, () => undefined);
      return dataRootFree(rootDir);
    },
  };
}

/** Free bytes on the Docker data root, for a local engine (a unix socket) only. */
async function dataRootFree(
  rootDir: Promise<string | undefined>,
): Promise<number | undefined> {
  if (!dockerEndpoint().startsWith("unix://")) return undefined;
  const root = await rootDir;
  if (!root) return undefined;
  try {
    const stats = await statfs(root);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}
