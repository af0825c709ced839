/**
 * Images in the local engine.
 *
 * @module
 */

import { Readable } from "node:stream";
import { VeloraError } from "../errors.ts";
import type { Docker } from "./client.ts";
import { statusCodeOf } from "./_private.ts";

/** Whether the engine has an image with this tag or id (nothing is pulled). */
export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/** An image as the engine reports it. */
export interface ImageInfo {
  /** Image id, `sha256:<hex>`. */
  id: string;
  /** Its tags (`repo:tag`). */
  repoTags: string[];
}

/** The image a tag or id names, or `undefined` when the engine has none. */
export async function inspectImage(docker: Docker, ref: string): Promise<ImageInfo | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return { id: info.Id, repoTags: info.RepoTags ?? [] };
  } catch (error) {
    if (statusCodeOf(error) === 404) return undefined;
    throw error;
  }
}

/** What `POST /images/load` reported. */
export interface LoadResult {
  /** Tags from its `Loaded image: <ref>` lines. */
  refs: string[];
  /** Ids from its `Loaded image ID: sha256:...` lines (untagged images). */
  ids: string[];
}

/** The engine refused an archive; the message is the engine's. Exit 1. */
export class ImageLoadError extends VeloraError {}

/**
 * Streams a `docker save` archive (plain or compressed: the engine decompresses gzip, bzip2 and
 * xz itself) into the engine's image-load endpoint, without a copy on disk.
 *
 * @throws {ImageLoadError} when the engine reports an error; the input stream's own error when
 *   reading it failed.
 */
export async function loadImageArchive(
  docker: Docker,
  archive: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): Promise<LoadResult> {
  // A failing input ends the request body early instead of erroring the Node stream: an error
  // emitted before docker-modem listens for it would leave the request open for ever. The
  // engine then answers "unexpected EOF", and the input's own error is what is thrown.
  let inputError: unknown;
  let finished = false;
  const reader = archive.getReader();
  async function* chunks() {
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } catch (error) {
      inputError ??= error;
    } finally {
      finished = true;
    }
  }
  const input = Readable.from(chunks(), { objectMode: false });
  try {
    const options: Record<string, unknown> = { quiet: true };
    if (signal) options.abortSignal = signal;
    let response: NodeJS.ReadableStream;
    try {
      response = await docker.loadImage(input, options);
    } catch (error) {
      throw inputError ?? error;
    }
    let text = "";
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response) {
        text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
      }
    } catch (error) {
      throw inputError ?? error;
    }
    if (inputError) throw inputError;
    return parseLoadResponse(text);
  } finally {
    input.destroy();
    if (!finished) await reader.cancel().catch(() => {});
  }
}

/** Parses the JSON-lines answer of the image-load endpoint. */
export function parseLoadResponse(text: string): LoadResult {
  const result: LoadResult = { refs: [], ids: [] };
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    let message: { stream?: string; error?: string; errorDetail?: { message?: string } };
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    const error = message.errorDetail?.message ?? message.error;
    if (error) throw new ImageLoadError(error);
    for (const part of (message.stream ?? "").split("\n")) {
      const id = /^Loaded image ID: (\S+)/.exec(part)?.[1];
      const ref = /^Loaded image: (\S+)/.exec(part)?.[1];
      if (id) result.ids.push(id);
      else if (ref) result.refs.push(ref);
    }
  }
  return result;
}

/** Points `ref` (`repo:tag`) at an image. */
export async function tagImage(docker: Docker, image: string, ref: string): Promise<void> {
  const colon = ref.lastIndexOf(":");
  const slash = ref.lastIndexOf("/");
  const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, "latest"];
  await docker.getImage(image).tag({ repo, tag });
}

/**
 * Removes a tag (and the image, when it was its last tag and no container uses it), or an
 * untagged image by id. Never forced.
 *
 * @returns false when the engine has no such tag or image.
 */
export async function removeImage(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).remove({ force: false, noprune: false });
    return true;
  } catch (error) {
    if (statusCodeOf(error) === 404) return false;
    throw error;
  }
}

/** Removes every dangling (untagged, unused) image of the engine; returns the bytes reclaimed. */
export async function pruneDanglingImages(docker: Docker): Promise<number> {
  const result = await docker.pruneImages({ filters: { dangling: ["true"] } });
  return result.SpaceReclaimed ?? 0;
}

/** Where the engine keeps its data (`docker info` DockerRootDir), and its version. */
export async function engineInfo(
  docker: Docker,
): Promise<{ rootDir: string | undefined; version: string | undefined }> {
  const info = await docker.info() as { DockerRootDir?: string; ServerVersion?: string };
  return { rootDir: info.DockerRootDir, version: info.ServerVersion };
}

/** Every image of the engine (tagged or not) with its tags. */
export async function listImages(docker: Docker): Promise<ImageInfo[]> {
  const images = await docker.listImages({ all: false });
  return images.map((image) => ({
    id: image.Id,
    repoTags: (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>"),
  }));
}
