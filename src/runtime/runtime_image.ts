/**
 * velora's runtime image for clusters: the files a Docker sandbox gets by bind mounts (inject.ts:
 * the `deno` executable and `runtime-server/`, the bundle, or the compiled velora), at the same
 * paths under `/velora`, plus the host's dynamic loader and the libraries the executable needs
 * under `/velora-boot`. A pod's init container runs the executable through that loader (the image
 * has no libc of its own) to copy `/velora` into a volume the instance image's container mounts:
 * the instance image stays unchanged and nothing is built on the cluster.
 *
 * velora pushes the image itself through the registry's HTTP API, once per content (the tag is a
 * hash of the files' paths, sizes and modification times).
 *
 * @module
 */
import { basename, join } from "node:path";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { type FileToPut, makeTar } from "../docker/put_files.ts";
import { VeloraError } from "../errors.ts";
import {
  manifestExists,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  parseReference,
  pushBlob,
  pushManifest,
  sha256Digest,
} from "../registry/client.ts";
import { type Injection, MOUNT_DIR, planInjection, type Runner } from "./inject.ts";

/** Where the loader and libraries go in the image. */
export const BOOT_DIR = "/velora-boot";

/** The repository of the runtime image under a registry. */
export const RUNTIME_REPOSITORY = "velora-runtime";

/** Bump when the image's layout changes. */
const LAYOUT_VERSION = "1";

/** What a pod needs to run the server from the image. */
export interface RuntimeImage {
  /** `registry/velora-runtime:<hash>`. */
  ref: string;
  /**
   * The init container's command: copies {@linkcode MOUNT_DIR} into `target`, through the loader.
   */
  installCommand(target: string): string[];
}

/** A file of the image: where it comes from on this machine and where it goes in the image. */
interface ImageFile {
  source: string;
  path: string;
}

/** Files of the image for `runner` (what planInjection would mount) plus the loader and libraries. */
export async function runtimeImageFiles(runner: Runner): Promise<ImageFile[]> {
  const injection = planInjection(runner, { port: 0, workingDir: "/" });
  const files: ImageFile[] = [];
  for (const bind of injection.binds) {
    const [source, target] = bind.split(":") as [string, string];
    files.push(...await walk(source, target));
  }
  for (const library of await sharedLibraries(runner.execPath)) {
    files.push({
      source: library.path,
      path: library.loader ? `${BOOT_DIR}/ld.so` : `${BOOT_DIR}/lib/${library.name}`,
    });
  }
  return files;
}

async function walk(source: string, target: string): Promise<ImageFile[]> {
  const info = await Deno.stat(source);
  if (!info.isDirectory) return [{ source, path: target }];
  const found: ImageFile[] = [];
  for await (const entry of Deno.readDir(source)) {
    found.push(...await walk(join(source, entry.name), `${target}/${entry.name}`));
  }
  return found;
}

/** The loader and shared libraries an executable needs, from `ldd`. */
async function sharedLibraries(
  executable: string,
): Promise<{ name: string; path: string; loader: boolean }[]> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("ldd", { args: [executable], stderr: "piped" }).output();
  } catch (error) {
    throw new VeloraError(`Cannot list the libraries of ${executable} (ldd): ${error}`);
  }
  const text = new TextDecoder().decode(output.stdout);
  if (/not a dynamic executable|statically linked/.test(text)) return [];
  const found: { name: string; path: string; loader: boolean }[] = [];
  for (const line of text.split("\n")) {
    const linked = line.match(/^\s*(\S+)\s+=>\s+(\/\S+)/);
    if (linked) {
      found.push({ name: linked[1]!, path: await Deno.realPath(linked[2]!), loader: false });
      continue;
    }
    const loader = line.match(/^\s*(\/\S*ld-linux\S*)\s+\(/);
    if (loader) {
      found.push({
        name: basename(loader[1]!),
        path: await Deno.realPath(loader[1]!),
        loader: true,
      });
    }
  }
  if (!found.some((l) => l.loader)) {
    throw new VeloraError(`Cannot find the dynamic loader of ${executable} in ldd's output`);
  }
  return found;
}

/** The image's tag: a hash of the layout, the files' paths, sizes and modification times. */
async function contentTag(files: ImageFile[]): Promise<string> {
  const parts = [LAYOUT_VERSION];
  for (const file of files) {
    const info = await Deno.stat(file.source);
    parts.push(`${file.path}\0${info.size}\0${info.mtime?.getTime() ?? 0}\0${info.mode ?? 0}`);
  }
  const digest = await sha256Digest(new TextEncoder().encode(parts.sort().join("\n")));
  return digest.slice("sha256:".length, "sha256:".length + 20);
}

/**
 * Makes sure the registry has the runtime image for `runner` and answers it. Builds and pushes it
 * only when the registry lacks this content's tag (`log` says so: it takes a few seconds).
 */
export async function ensureRuntimeImage(
  registry: string,
  runner: Runner,
  log: (line: string) => void = () => {},
): Promise<RuntimeImage> {
  const files = await runtimeImageFiles(runner);
  const tag = await contentTag(files);
  const ref = `${registry}/${RUNTIME_REPOSITORY}:${tag}`;
  const { repository } = parseReference(ref);
  if (!(await manifestExists(repository, tag))) {
    const started = performance.now();
    log(`pushing velora's runtime image ${ref}`);
    await pushImage(repository, tag, files);
    log(`pushed ${ref} in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }
  const injection = planInjection(runner, { port: 0, workingDir: "/" });
  return { ref, installCommand: (target) => installCommand(injection, target) };
}

/** The init container's command (see {@linkcode RuntimeImage.installCommand}). */
export function installCommand(injection: Injection, target: string): string[] {
  return [
    `${BOOT_DIR}/ld.so`,
    "--library-path",
    `${BOOT_DIR}/lib`,
    injection.entrypoint[0]!,
    ...injection.launch,
    "--install",
    MOUNT_DIR,
    target,
  ];
}

async function pushImage(
  repository: { host: string; name: string },
  tag: string,
  files: ImageFile[],
): Promise<void> {
  const entries: FileToPut[] = [];
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.path.replace(/^\/+/, "").split("/");
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join("/"));
  }
  for (const folder of [...folders].sort()) {
    entries.push({ path: `${folder}/`, content: "", type: "5", mode: 0o755 });
  }
  for (const file of files) {
    const info = await Deno.stat(file.source);
    entries.push({
      path: file.path,
      content: await Deno.readFile(file.source),
      mode: (info.mode ?? 0o644) & 0o777,
    });
  }
  const layer = makeTar(entries);
  const compressed = new Uint8Array(await promisify(gzip)(layer, { level: 1 }));
  const layerDigest = await sha256Digest(compressed);
  const config = new TextEncoder().encode(JSON.stringify({
    architecture: goArch(),
    os: "linux",
    config: {},
    rootfs: { type: "layers", diff_ids: [await sha256Digest(layer)] },
  }));
  const configDigest = await sha256Digest(config);
  await pushBlob(repository, layerDigest, compressed);
  await pushBlob(repository, configDigest, config);
  await pushManifest(
    repository,
    tag,
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
      layers: [{ mediaType: OCI_LAYER_GZIP, digest: layerDigest, size: compressed.length }],
    }),
  );
}

function goArch(): string {
  return Deno.build.arch === "aarch64" ? "arm64" : "amd64";
}
