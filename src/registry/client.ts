/**
 * The image registry's HTTP API (the OCI Distribution spec, `/v2/`): does a manifest exist, and
 * pushing blobs and a manifest — enough for velora to put its own runtime image in the registry
 * a cluster pulls from, without a Docker engine. Registries on 127.0.0.0/8 and `localhost` are
 * spoken to over plain HTTP (as the Docker engine does by default), every other one over HTTPS.
 * No credentials are sent: the registry must accept anonymous pulls and pushes of velora's
 * runtime image (see docs/kubernetes.md).
 *
 * @module
 */
import { VeloraError } from "../errors.ts";

/** The media types velora pushes. */
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

const ACCEPT_MANIFESTS = [
  OCI_MANIFEST,
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

/** The registry refused or did not answer; one line naming it. */
export class RegistryError extends VeloraError {}

/** A repository of a registry: `host[:port]` and the path under it. */
export interface Repository {
  /** `host[:port]`. */
  host: string;
  /** The repository path, e.g. `velora/runtime`. */
  name: string;
}

/** Splits `host[:port]/path/name[:tag]` into repository and reference (tag or digest). */
export function parseReference(image: string): { repository: Repository; reference: string } {
  const slash = image.indexOf("/");
  if (slash < 0) throw new RegistryError(`"${image}" names no registry host`);
  const host = image.slice(0, slash);
  let rest = image.slice(slash + 1);
  let reference = "latest";
  const at = rest.indexOf("@");
  if (at >= 0) {
    reference = rest.slice(at + 1);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon > rest.lastIndexOf("/")) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  return { repository: { host, name: rest }, reference };
}

/** `http` for loopback registries, else `https`. */
export function schemeOf(host: string): "http" | "https" {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return /^127\.\d+\.\d+\.\d+$/.test(name) || name === "localhost" || name === "::1"
    ? "http"
    : "https";
}

function base(repository: Repository): string {
  return `${schemeOf(repository.host)}://${repository.host}/v2/${repository.name}`;
}

async function call(
  what: string,
  url: string,
  init: RequestInit,
  ok: (status: number) => boolean,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new RegistryError(
      `${what}: cannot reach ${new URL(url).host}: ${(error as Error).message}`,
    );
  }
  if (!ok(response.status)) {
    const body = (await response.text().catch(() => "")).trim().slice(0, 300);
    throw new RegistryError(
      `${what}: ${url} answered ${response.status}${body ? `: ${body}` : ""}`,
    );
  }
  return response;
}

/** Whether the registry has a manifest for `reference` (tag or digest). */
export async function manifestExists(repository: Repository, reference: string): Promise<boolean> {
  const response = await call(
    `checking ${repository.host}/${repository.name}:${reference}`,
    `${base(repository)}/manifests/${reference}`,
    { method: "HEAD", headers: { Accept: ACCEPT_MANIFESTS } },
    (status) => status === 200 || status === 404,
  );
  await response.body?.cancel();
  return response.status === 200;
}

/** Whether the registry has the blob `digest`. */
export async function blobExists(repository: Repository, digest: string): Promise<boolean> {
  const response = await call(
    `checking a blob of ${repository.host}/${repository.name}`,
    `${base(repository)}/blobs/${digest}`,
    { method: "HEAD" },
    (status) => status === 200 || status === 404,
  );
  await response.body?.cancel();
  return response.status === 200;
}

/** Uploads a blob in one request (skipped when the registry has it). */
export async function pushBlob(
  repository: Repository,
  digest: string,
  bytes: Uint8Array,
): Promise<void> {
  if (await blobExists(repository, digest)) return;
  const what = `pushing a blob to ${repository.host}/${repository.name}`;
  const started = await call(
    what,
    `${base(repository)}/blobs/uploads/`,
    { method: "POST", headers: { "Content-Length": "0" } },
    (status) => status === 202,
  );
  await started.body?.cancel();
  const location = started.headers.get("Location");
  if (!location) throw new RegistryError(`${what}: the registry sent no upload location`);
  const upload = new URL(location, `${schemeOf(repository.host)}://${repository.host}`);
  upload.searchParams.set("digest", digest);
  const done = await call(what, upload.href, {
    method: "PUT",
    headers: { "Content-Type": "application/octet-stream" },
    body: bytes as Uint8Array<ArrayBuffer>,
  }, (status) => status === 201);
  await done.body?.cancel();
}

/** Puts a manifest under `reference` (a tag). */
export async function pushManifest(
  repository: Repository,
  reference: string,
  manifest: string,
  mediaType: string = OCI_MANIFEST,
): Promise<void> {
  const response = await call(
    `pushing ${repository.host}/${repository.name}:${reference}`,
    `${base(repository)}/manifests/${reference}`,
    { method: "PUT", headers: { "Content-Type": mediaType }, body: manifest },
    (status) => status === 201,
  );
  await response.body?.cancel();
}

/** `sha256:<hex>` of some bytes. */
export async function sha256Digest(bytes: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return `sha256:${
    Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("")
  }`;
}
