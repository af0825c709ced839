/**
 * scripts/demo_base_image.sh: which base image the demo uses. The images are tags of the test base
 * image made here (and removed again); the pulled image names a registry on 127.0.0.1 that does
 * not answer, and the builder is a fake, so nothing is downloaded or debootstrapped.
 */
import assert from "node:assert/strict";
import { BASE_IMAGE, ignoreWithoutDocker } from "../support/docker.ts";
import { REPO_ROOT } from "../support/demo_image.ts";
import { sh } from "../support/sh.ts";

const ignore = await ignoreWithoutDocker();
const SCRIPT = `${REPO_ROOT}scripts/demo_base_image.sh`;
/** A builder that fails the test when it is called. */
const NO_BUILD = 'echo "the builder ran" >&2; exit 99';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script with only these variables (and PATH, HOME, DOCKER_HOST) in its environment. */
async function pick(env: Record<string, string>): Promise<Result> {
  const keep: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DOCKER_HOST"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) keep[name] = value;
  }
  const out = await new Deno.Command("bash", {
    args: [SCRIPT],
    clearEnv: true,
    env: { ...keep, VELORA_DEMO_PULL_TIMEOUT: "30", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Image names unique to one test: two tags it may create, and one nobody can pull. */
function names() {
  const id = crypto.randomUUID().slice(0, 8);
  return {
    present: `velora-test-demo-base-${id}:present`,
    built: `velora-test-demo-base-${id}:built`,
    unpullable: `127.0.0.1:1/velora-test-demo-base-${id}:missing`,
  };
}

async function exists(image: string): Promise<boolean> {
  const out = await new Deno.Command("docker", {
    args: ["image", "inspect", image],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

/** Runs `fn`, then removes those of `tags` that exist (only the tags: the image stays). */
async function withTags(tags: string[], fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } finally {
    for (const tag of tags) {
      if (await exists(tag)) await sh(["docker", "image", "rm", tag]);
    }
  }
}

Deno.test({
  name: "demo base image: VELORA_DEMO_BASE_IMAGE wins over present images",
  ignore,
  async fn() {
    const n = names();
    await withTags([n.present, n.built], async () => {
      await sh(["docker", "tag", BASE_IMAGE, n.present]);
      await sh(["docker", "tag", BASE_IMAGE, n.built]);
      const result = await pick({
        VELORA_DEMO_BASE_IMAGE: "example.invalid/chosen:1",
        VELORA_DEMO_PULL_IMAGE: n.present,
        VELORA_DEMO_BUILD_TAG: n.built,
        VELORA_DEMO_BASE_BUILDER: NO_BUILD,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "example.invalid/chosen:1\n");
      assert.match(result.stderr, /using "example\.invalid\/chosen:1" \(VELORA_DEMO_BASE_IMAGE\)/);
    });
  },
});

Deno.test({
  name: "demo base image: the present default image is used, with no pull or build",
  ignore,
  async fn() {
    const n = names();
    await withTags([n.present, n.built], async () => {
      await sh(["docker", "tag", BASE_IMAGE, n.present]);
      await sh(["docker", "tag", BASE_IMAGE, n.built]);
      const result = await pick({
        VELORA_DEMO_PULL_IMAGE: n.present,
        VELORA_DEMO_BUILD_TAG: n.built,
        VELORA_DEMO_BASE_BUILDER: NO_BUILD,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${n.present}\n`);
      assert.equal(result.stderr, `demo base image: using "${n.present}" (present)\n`);
    });
  },
});

Deno.test({
  name: "demo base image: an unpullable image and an existing built tag: the tag, no pull or build",
  ignore,
  async fn() {
    const n = names();
    await withTags([n.built], async () => {
      await sh(["docker", "tag", BASE_IMAGE, n.built]);
      const result = await pick({
        VELORA_DEMO_PULL_IMAGE: n.unpullable,
        VELORA_DEMO_BUILD_TAG: n.built,
        VELORA_DEMO_BASE_BUILDER: NO_BUILD,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${n.built}\n`);
      assert.equal(
        result.stderr,
        `demo base image: using "${n.built}" (built by an earlier run)\n`,
      );
    });
  },
});

Deno.test({
  name: "demo base image: an unpullable image and no built tag: the builder makes the tag",
  ignore,
  async fn() {
    const n = names();
    await withTags([n.built], async () => {
      const result = await pick({
        VELORA_DEMO_PULL_IMAGE: n.unpullable,
        VELORA_DEMO_BUILD_TAG: n.built,
        VELORA_DEMO_BASE_BUILDER: `echo "fake build of $1"; docker tag ${BASE_IMAGE} "$1"`,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, `${n.built}\n`);
      const lines = result.stderr.trimEnd().split("\n");
      assert.equal(lines[0], `demo base image: pulling "${n.unpullable}" (waiting at most 30 s)`);
      const [pulled, building] = lines[1]!.split("; ");
      assert.ok(pulled!.startsWith(`demo base image: cannot pull "${n.unpullable}" (`), pulled);
      assert.match(pulled!, /127\.0\.0\.1:1/);
      assert.ok(building!.startsWith(`building "${n.built}" with debootstrap`), building);
      assert.equal(lines[2], `fake build of ${n.built}`);
      assert.equal(lines[3], `demo base image: using "${n.built}" (built)`);
      assert.ok(await exists(n.built));
    });
  },
});

Deno.test({
  name: "demo base image: a failed build exits non-zero with one line saying what to do",
  ignore,
  async fn() {
    const n = names();
    await withTags([n.built], async () => {
      const result = await pick({
        VELORA_DEMO_PULL_IMAGE: n.unpullable,
        VELORA_DEMO_BUILD_TAG: n.built,
        VELORA_DEMO_BASE_BUILDER: "exit 3",
      });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(
        result.stderr.trimEnd().split("\n").at(-1)!,
        /^demo base image: The builder failed \(or set VELORA_DEMO_BASE_IMAGE to an image with/,
      );
      assert.equal(await exists(n.built), false);
    });
  },
});
