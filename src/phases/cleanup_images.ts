/**
 * The `cleanup-images` phase: removes the images and tags this run loaded or created, as
 * recorded in `<run dir>/velora-images.json` by `load-images` — never an image the run did not
 * create: a tag that now names another image, or an image that has other tags, is left alone.
 *
 * @module
 */
import { z } from "zod";
import { connect, ping } from "../docker/client.ts";
import { PhaseFailedError } from "../errors.ts";
import { dockerEngine } from "../images/engine.ts";
import { ImageRecord } from "../images/record.ts";
import { removeEntry } from "../images/remove.ts";
import { formatBytes } from "../images/progress.ts";
import { definePhase, phaseSchema } from "../pipeline/phase.ts";

const schema = phaseSchema("cleanup-images", {
  dangling: z.boolean().default(false).describe(
    "Also prune the engine's dangling (untagged, unused) images, whoever made them",
  ),
});

/** The `cleanup-images` phase kind. */
export const cleanupImagesPhase = definePhase({
  kind: "cleanup-images",
  description: "Remove the images and tags this run loaded (recorded by load-images)",
  schema,
  async run(params, ctx) {
    const record = await ImageRecord.open(ctx.runDir);
    const docker = connect();
    try {
      await ping(docker);
    } catch (error) {
      throw new PhaseFailedError((error as Error).message);
    }
    const engine = dockerEngine(docker);
    let tags = 0;
    let images = 0;
    let kept = 0;
    for (const [key, entry] of Object.entries(record.data.images)) {
      if (entry.created_tags.length === 0 && entry.created_images.length === 0) continue;
      const result = await removeEntry(engine, entry);
      tags += result.tags.length;
      images += result.images.length;
      kept += result.kept.length;
      for (const note of result.kept) ctx.log(`kept ${note}`);
      if (result.tags.length > 0 || result.images.length > 0) {
        ctx.log(`removed ${[...result.tags, ...result.images].join(", ")} (${entry.source})`);
      }
      const done = result.retry.tags.length === 0 && result.retry.images.length === 0;
      await record.put(key, {
        ...entry,
        status: entry.status === "failed" || !done ? entry.status : "removed",
        created_tags: result.retry.tags,
        created_images: result.retry.images,
      });
    }
    let reclaimed = 0;
    if (params.dangling) {
      reclaimed = await engine.pruneDangling();
      ctx.log(`pruned dangling images: ${formatBytes(reclaimed)} reclaimed`);
    }
    ctx.log(`removed ${tags} tags and ${images} untagged images; kept ${kept}`);
    return { removed_tags: tags, removed_images: images, kept, dangling_bytes: reclaimed };
  },
});
