/**
 * An image engine in memory, for the look-ahead tests: `load` reads the whole archive (a cut
 * stream loads nothing, as Docker does), finds `manifest.json`, waits `loadMs`, then adds the
 * images and their tags. Removing the last tag of an image removes it, as `docker rmi` does.
 * A push records the target and the image id it named (`pushed()`). Every call is logged in order.
 *
 * @module
 */
import type { ImageEngine, ImageInfo } from "../../src/images/engine.ts";
import { makeTar, manifestJson } from "./_tar.ts";

/** The fake engine and what it saw. */
export interface FakeEngine {
  engine: ImageEngine;
  /** `load <tag>` (start), `loaded <tag>`, `cut <bytes>`, `remove <ref>`, `push <target>`. */
  events: string[];
  /** Image ids and their tags now. */
  images(): Map<string, Set<string>>;
  /** The image a tag names now. */
  idOf(ref: string): string | undefined;
  /** Tags of the archives being loaded now (known once the stream was read). */
  loading(): Set<string>;
  /** What the registry holds: target → image id. */
  pushed(): Map<string, string>;
  /** Adds an image that was there before the run. */
  preload(id: string, tags: string[]): void;
  /** Called when a load starts (after the stream was read), with the archive's first tag. */
  onLoadStart?: (tag: string) => void;
}

/** A fake engine; `loadMs` is how long the engine works on a whole archive. */
export function fakeEngine(
  options: {
    loadMs?: number;
    diskFree?: () => number | undefined;
    /** The error of a push to this target, when it should fail. */
    pushError?: (target: string) => string | undefined;
  } = {},
): FakeEngine {
  const images = new Map<string, Set<string>>();
  const tags = new Map<string, string>();
  const events: string[] = [];
  const loading = new Set<string>();
  const pushed = new Map<string, string>();
  const info = (id: string): ImageInfo => ({ id, repoTags: [...images.get(id)!] });
  const resolve = (ref: string) => images.has(ref) ? ref : tags.get(ref);
  const fake: FakeEngine = {
    events,
    images: () => images,
    idOf: (ref) => resolve(ref),
    loading: () => loading,
    pushed: () => pushed,
    preload(id, list) {
      images.set(id, new Set(list));
      for (const tag of list) tags.set(tag, id);
    },
    engine: {
      inspect: (ref) => {
        const id = resolve(ref);
        return Promise.resolve(id ? info(id) : undefined);
      },
      list: () => Promise.resolve([...images.keys()].map(info)),
      async load(archive) {
        let tag = "";
        try {
          const bytes = await readAll(archive, events);
          const manifest = findManifest(bytes);
          tag = manifest[0]!.RepoTags[0] ?? "";
          loading.add(tag);
          events.push(`load ${tag}`);
          fake.onLoadStart?.(tag);
          await new Promise((resolve) => setTimeout(resolve, options.loadMs ?? 0));
          const refs: string[] = [];
          for (const entry of manifest) {
            const id = `sha256:${/([0-9a-f]{64})/.exec(entry.Config)![1]}`;
            if (!images.has(id)) images.set(id, new Set());
            for (const ref of entry.RepoTags) {
              const old = tags.get(ref);
              if (old && old !== id) images.get(old)!.delete(ref);
              tags.set(ref, id);
              images.get(id)!.add(ref);
              refs.push(ref);
            }
          }
          events.push(`loaded ${tag}`);
          return { refs, ids: [] };
        } finally {
          loading.delete(tag);
        }
      },
      tag(image, ref) {
        const id = resolve(image)!;
        const old = tags.get(ref);
        if (old) images.get(old)?.delete(ref);
        tags.set(ref, id);
        images.get(id)!.add(ref);
        return Promise.resolve();
      },
      remove(ref) {
        events.push(`remove ${ref}`);
        if (tags.has(ref)) {
          const id = tags.get(ref)!;
          tags.delete(ref);
          images.get(id)!.delete(ref);
          if (images.get(id)!.size === 0) images.delete(id);
          return Promise.resolve(true);
        }
        if (images.has(ref) && images.get(ref)!.size === 0) {
          images.delete(ref);
          return Promise.resolve(true);
        }
        return Promise.resolve(false);
      },
      pruneDangling: () => Promise.resolve(0),
      async push(image, target) {
        events.push(`push ${target}`);
        await Promise.resolve();
        const id = resolve(image);
        if (!id) throw new Error(`no image ${image}`);
        const error = options.pushError?.(target);
        if (error) throw new Error(error);
        pushed.set(target, id);
        return { digest: `sha256:${id.slice(7, 71)}` };
      },
      diskFree: () => Promise.resolve(options.diskFree?.()),
    },
  };
  return fake;
}

async function readAll(stream: ReadableStream<Uint8Array>, events: string[]): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      length += chunk.length;
    }
  } catch (error) {
    events.push(`cut ${length}`);
    throw error;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** The manifest of a tar (ustar headers, no pax). */
function findManifest(bytes: Uint8Array): { Config: string; RepoTags: string[] }[] {
  let at = 0;
  const text = new TextDecoder();
  while (at + 512 <= bytes.length) {
    const name = text.decode(bytes.subarray(at, at + 100)).replace(/\0.*$/s, "");
    if (!name) break;
    const size = parseInt(text.decode(bytes.subarray(at + 124, at + 136)).replace(/\0.*$/s, ""), 8);
    if (name === "manifest.json") {
      return JSON.parse(text.decode(bytes.subarray(at + 512, at + 512 + size)));
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error("unexpected EOF");
}

/** A `docker save`-like archive of one image tagged `tag`, with a layer of `layerBytes`. */
export function fakeArchive(
  tag: string,
  layerBytes = 64 * 1024,
): { bytes: Uint8Array; id: string } {
  const hex = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const bytes = makeTar([
    { name: "layer/layer.tar", content: new Uint8Array(layerBytes).fill(7) },
    { name: `${hex}.json`, content: "{}" },
    { name: "manifest.json", content: manifestJson(hex, [tag]) },
  ]);
  return { bytes, id: `sha256:${hex}` };
}
