/**
 * Images in the local engine.
 *
 * @module
 */

import { Readable } from "node:stream";
import { VeloraError } from "../errors.ts";
import type { Docker } from "./client.ts";
import { registryAuth } from "./registry_auth.ts";
import { messageOf, statusCodeOf } from "./_private.ts";

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

/** A push the engine or the registry refused; one line naming the registry. Exit 1. */
export class ImagePushError extends VeloraError {}

/** How far a push is, from the engine's progress messages. */
export interface PushProgress {
  /** Layers of the image the engine has named so far. */
  layers: number;
  /** Layers the registry has now (sent, or there already). */
  done: number;
  /** Bytes of layers sent so far. */
  bytes: number;
  /** Bytes of the layers being sent or sent (known once each starts). */
  total: number;
}

/** What a push did. */
export interface PushResult {
  /** The manifest digest the registry answered, when the engine reported it. */
  digest: string | undefined;
}

/** One message of the engine's JSON progress stream. */
interface StreamMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Digest?: string };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Pushes `image` (a tag or id) to a registry as `target` (`host[:port]/repo:tag`): tags it as
 * `target`, pushes that tag (credentials from the docker CLI's config file, see
 * `registry_auth.ts`; none otherwise), then removes the tag again when this call made it. A
 * `target` tag that was there before stays (or is pointed back at its image), and so does a tag
 * that is the image's last one (removing it would remove the image).
 *
 * The engine pushes to registries on 127.0.0.0/8 over plain HTTP; any other needs TLS, or an
 * `insecure-registries` entry in the engine's own configuration.
 *
 * @throws {ImagePushError} naming the target and its registry, with the engine's message.
 */
export async function pushImage(
  docker: Docker,
  image: string,
  target: string,
  onProgress?: (progress: PushProgress) => void,
  signal?: AbortSignal,
): Promise<PushResult> {
  const host = registryHostOf(target);
  const fail = (detail: string) =>
    new ImagePushError(
      `Cannot push ${target} to ${host}: ${detail.replace(/\s+/g, " ").trim()}${hintFor(detail)}`,
    );
  if (target.includes("@")) throw fail("a digest is not a tag to push to");
  const source = await inspectImage(docker, image);
  if (!source) throw fail(`the engine has no image ${image}`);
  const before = await inspectImage(docker, target);
  if (before?.id !== source.id) {
    try {
      await tagImage(docker, source.id, target);
    } catch (error) {
      throw fail(messageOf(error));
    }
  }
  try {
    const colon = target.lastIndexOf(":");
    const options: Record<string, unknown> = {
      tag: target.slice(colon + 1),
      // The engine wants the header even without credentials ("{}").
      authconfig: await registryAuth(host),
    };
    if (signal) options.abortSignal = signal;
    let messages: StreamMessage[];
    try {
      const stream = await docker.getImage(target.slice(0, colon)).push(options);
      messages = await followPush(docker, stream, onProgress);
    } catch (error) {
      throw fail(messageOf(error));
    }
    let digest: string | undefined;
    for (const message of messages) {
      const error = message.errorDetail?.message ?? message.error;
      if (error) throw fail(error);
      digest = message.aux?.Digest ?? digest;
    }
    return { digest };
  } finally {
    if (before && before.id !== source.id) {
      await tagImage(docker, before.id, target).catch(() => {});
    } else if (!before) {
      const now = await inspectImage(docker, target).catch(() => undefined);
      if (now?.id === source.id && now.repoTags.length > 1) {
        await removeImage(docker, target).catch(() => false);
      }
    }
  }
}

/** Follows a push's progress stream to its end; returns its messages. */
function followPush(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onProgress: ((progress: PushProgress) => void) | undefined,
): Promise<StreamMessage[]> {
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  const report = (message: StreamMessage) => {
    if (!onProgress || !message.id || !message.status) return;
    const layer = layers.get(message.id) ?? { current: 0, total: 0, done: false };
    layers.set(message.id, layer);
    if (message.status === "Pushing") {
      layer.current = message.progressDetail?.current ?? layer.current;
      layer.total = message.progressDetail?.total ?? layer.total;
    } else if (message.status === "Pushed" || message.status === "Layer already exists") {
      layer.done = true;
      layer.current = layer.total;
    } else if (!["Preparing", "Waiting"].includes(message.status)) {
      return;
    }
    const all = [...layers.values()];
    onProgress({
      layers: all.length,
      done: all.filter((l) => l.done).length,
      bytes: all.reduce((n, l) => n + l.current, 0),
      total: all.reduce((n, l) => n + l.total, 0),
    });
  };
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: unknown, output: StreamMessage[]) => error ? reject(error) : resolve(output),
      report,
    );
  });
}

/** The registry host of an image name (Docker Hub's when its first component is no host). */
function registryHostOf(name: string): string {
  const slash = name.indexOf("/");
  const first = slash === -1 ? "" : name.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}

/** A hint for the engine's usual refusals: TLS to a plain-HTTP registry, missing credentials. */
function hintFor(message: string): string {
  if (/server gave HTTP response to HTTPS client/i.test(message)) {
    return " (the engine speaks HTTPS to registries outside 127.0.0.0/8: add this one to " +
      "`insecure-registries` in the engine's daemon.json for plain HTTP)";
  }
  if (/unauthorized|authentication required|no basic auth credentials/i.test(message)) {
    return " (velora sends the `auths` credentials of $DOCKER_CONFIG/config.json, default " +
      "~/.docker/config.json; it does not run credential helpers)";
  }
  return "";
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
