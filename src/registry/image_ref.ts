/**
 * Image names in a registry (placeholder until the push work lands; same signature).
 *
 * @module
 */

/** The name of `image` in `registry`: its own registry host dropped, `registry/` in front. */
export function registryImage(registry: string, image: string): string {
  if (image.startsWith(`${registry}/`)) return image;
  const parts = image.split("/");
  const first = parts[0]!;
  const rest =
    parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")
      ? parts.slice(1)
      : parts;
  let name = rest.join("/");
  const last = rest.at(-1)!;
  if (!name.includes("@") && !last.includes(":")) name += ":latest";
  return `${registry}/${name}`;
}
