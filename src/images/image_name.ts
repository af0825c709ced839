/**
 * Which image an instance runs in, by the first rule that applies:
 *
 * 1. `RUNTIME_CONTAINER_IMAGE` (the seed's override: one image for every instance);
 * 2. the phase's `image` template (placeholders as in aliases.ts);
 * 3. a Docker reference in the row's `image_storage_uri` (`docker://ref`, or a plain `repo:tag`);
 * 4. OpenHands' rule: `LANGUAGE=python` → `<prefix>/sweb.eval.x86_64.<id, __→_s_>`, any other
 *    `LANGUAGE` → `<prefix>/<org>_m_<repo>:pr-<number>`, lowercased, with
 *    `EVAL_DOCKER_IMAGE_PREFIX` (default `mswebench`). Without `LANGUAGE`, Multi-SWE-bench rows
 *    take the second form and other rows the first (the tag Velora's evaluator uses).
 *
 * @module
 */
import type { Instance } from "../dataset/instance.ts";
import { isValidReference, renderAlias } from "./aliases.ts";

/** What image naming depends on besides the row. */
export interface ImageNaming {
  /** The phase's `image` template. */
  template?: string;
  /** `RUNTIME_CONTAINER_IMAGE`. */
  runtimeContainerImage?: string;
  /** `EVAL_DOCKER_IMAGE_PREFIX`. @default "mswebench" */
  prefix?: string;
  /** `LANGUAGE`, when set. */
  language?: string;
}

/** The image reference of an instance, or an error text saying why there is none. */
export function imageFor(
  instance: Instance,
  naming: ImageNaming,
): { image: string } | { error: string } {
  if (naming.runtimeContainerImage) return { image: naming.runtimeContainerImage };
  const vars = {
    instance_id: instance.instance_id,
    repo: instance.repo,
    ...(instance.number === undefined ? {} : { number: instance.number }),
  };
  if (naming.template) {
    const rendered = renderAlias(naming.template, vars);
    return "ref" in rendered ? { image: rendered.ref } : { error: rendered.skipped };
  }
  const uri = instance.image_storage_uri;
  if (uri) {
    const ref = uri.startsWith("docker://") ? uri.slice(9) : uri;
    if (
      !/^(s3|https?|file):\/\//.test(ref) && !ref.startsWith("/") && !/\.tar(\.gz)?$/.test(ref) &&
      isValidReference(ref.includes(":") ? ref : `${ref}:latest`)
    ) {
      return { image: ref.includes(":") ? ref : `${ref}:latest` };
    }
  }
  const prefix = (naming.prefix ?? "mswebench").replace(/\/+$/, "");
  const sweBenchStyle = naming.language
    ? naming.language.toLowerCase() === "python"
    : instance.format !== "multi_swe_bench";
  const template = sweBenchStyle
    ? `${prefix}/sweb.eval.x86_64.{id}:latest`
    : `${prefix}/{org}_m_{repo}:pr-{number}`;
  const rendered = renderAlias(template, vars);
  return "ref" in rendered ? { image: rendered.ref } : { error: rendered.skipped };
}

/**
 * The naming in force: the seed's environment variables (`RUNTIME_CONTAINER_IMAGE`,
 * `EVAL_DOCKER_IMAGE_PREFIX`, `LANGUAGE`) with a phase's own `image` template and `language`.
 */
export function imageNaming(
  own: { image?: string | undefined; language?: string | undefined } = {},
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): ImageNaming {
  const runtimeContainerImage = env("RUNTIME_CONTAINER_IMAGE");
  const prefix = env("EVAL_DOCKER_IMAGE_PREFIX");
  const language = own.language ?? env("LANGUAGE");
  return {
    ...(own.image ? { template: own.image } : {}),
    ...(runtimeContainerImage ? { runtimeContainerImage } : {}),
    ...(prefix ? { prefix } : {}),
    ...(language ? { language } : {}),
  };
}
