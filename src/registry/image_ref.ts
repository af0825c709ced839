/**
 * Image names in a registry: where `velora images load --registry` and the `load-images` phase's
 * `registry` push an image, and what a Kubernetes pod that runs it pulls.
 *
 * A registry setting is `host[:port][/path]` (`127.0.0.1:5000`, `registry.example.com/team`). An
 * image's name in it is the image's own name without its registry host, under that prefix:
 * `velora-demo:latest` → `127.0.0.1:5000/velora-demo:latest`,
 * `docker.io/library/python:3.11` → `registry.example.com/team/library/python:3.11`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** What a registry setting looks like, for error messages. */
const EXPECTED = "a registry as host[:port][/path], such as 127.0.0.1:5000 or " +
  "registry.example.com/team";

const HOST_NAME = String.raw`[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?`;
const HOST = new RegExp(
  String.raw`^(?:${HOST_NAME}(?:\.${HOST_NAME})*|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/**
 * Whether the first component of an image name is a registry host rather than part of its
 * repository path: it has a `.` or a `:`, or is `localhost` (Docker's rule).
 */
export function isRegistryHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/**
 * Checks a registry setting and returns it normalised: no trailing `/`, the host lowercased.
 *
 * @throws {UsageError} one line naming what was expected: a scheme (`http://`), a tag or digest,
 *   a first component that is not a host (Docker would read `team/x` as Docker Hub's), a bad port
 *   or path component.
 */
export function parseRegistry(value: string): string {
  const checked = checkRegistry(value);
  if ("problem" in checked) throw new UsageError(`Bad registry "${value}": ${checked.problem}`);
  return checked.registry;
}

/**
 * What is wrong with a registry setting, as {@linkcode parseRegistry} says it without the value
 * (for a schema message that names the key), or `undefined` when it is fine.
 */
export function registryProblem(value: string): string | undefined {
  const checked = checkRegistry(value);
  return "problem" in checked ? checked.problem : undefined;
}

function checkRegistry(value: string): { registry: string } | { problem: string } {
  const text = value.trim().replace(/\/+$/, "");
  const bad = (why: string) => ({ problem: `${why}; expected ${EXPECTED}` });
  if (text === "") return bad("it is empty");
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(text);
  if (scheme) return bad(`no scheme (${scheme[1]}://)`);
  if (text.includes("@")) return bad("no digest");
  const [host = "", ...path] = text.split("/");
  if (!isRegistryHost(host)) {
    return bad(`"${host}" is not a host (it needs a "." or a ":port", or is localhost)`);
  }
  const match = HOST.exec(host);
  if (!match) return bad(`"${host}" is not a host[:port]`);
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    return bad(`port ${port} is out of range`);
  }
  for (const component of path) {
    if (component.includes(":")) return bad("no tag");
    if (!PATH_COMPONENT.test(component)) {
      return bad(`"${component}" is not a path component (lowercase letters, digits, . _ -)`);
    }
  }
  return { registry: [host.toLowerCase(), ...path].join("/") };
}

/**
 * The name of `image` in `registry`: the image's own registry host (a first component with a
 * `.` or `:`, or `localhost`) is dropped, the rest (repository path, tag or digest) kept, a name
 * without a tag or digest gets `:latest`, and `registry/` goes in front. An image already in
 * `registry` keeps its name (with `:latest` added when it has no tag), so the function is
 * idempotent.
 *
 * ```ts
 * registryImage("127.0.0.1:5000", "velora-demo:latest"); // "127.0.0.1:5000/velora-demo:latest"
 * registryImage("reg.example/team", "docker.io/library/python:3.11");
 * // "reg.example/team/library/python:3.11"
 * ```
 *
 * `registry` is a setting {@linkcode parseRegistry} accepted (a trailing `/` is ignored).
 */
export function registryImage(registry: string, image: string): string {
  const prefix = registry.replace(/\/+$/, "");
  const named = withTag(image.trim());
  if (named.startsWith(`${prefix}/`)) return named;
  const slash = named.indexOf("/");
  const first = slash === -1 ? "" : named.slice(0, slash);
  const rest = slash !== -1 && isRegistryHost(first) ? named.slice(slash + 1) : named;
  return `${prefix}/${rest}`;
}

/** `name` with `:latest` when it has neither a tag nor a digest. */
function withTag(name: string): string {
  if (name.includes("@")) return name;
  const lastSlash = name.lastIndexOf("/");
  return name.lastIndexOf(":") > lastSlash ? name : `${name}:latest`;
}
