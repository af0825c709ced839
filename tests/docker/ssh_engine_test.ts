/**
 * An `ssh://` Docker engine for real: the demo task through `velora infer --engine ssh://...`
 * against an sshd of the test's own on 127.0.0.1 (the engine behind it is the local one), the
 * agent holding the key. The sandbox's relay, its image check and its files all go over ssh.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ignoreWithoutDocker } from "../support/docker.ts";
import { ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { sshdMissing, startSshd } from "../support/sshd.ts";
import { velora } from "../support/velora.ts";

const missing = sshdMissing();
const ignore = (await ignoreWithoutDocker()) ||
  (missing !== undefined && Deno.env.get("CI") !== "true");

Deno.test({
  name: "an ssh:// engine runs the demo task's sandbox, with the key from the ssh agent",
  ignore,
  async fn() {
    assert.equal(missing, undefined, missing);
    await ensureDemoImage();
    await using sshd = await startSshd();
    const dir = await Deno.makeTempDir({ prefix: "velora-ssh-engine-" });
    try {
      const engine = `ssh://root@127.0.0.1:${sshd.port}`;
      const result = await velora([
        "infer",
        "--dataset",
        `${REPO_ROOT}data/demo/tasks.jsonl`,
        "--config-file",
        `${REPO_ROOT}data/demo/config.toml`,
        "--llm-config",
        "llm.demo",
        "--engine",
        `${engine}=2`,
        "--output",
        "out",
      ], { cwd: dir, env: { SSH_AUTH_SOCK: sshd.agentSocket } });
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(`sandboxes run on 1 Docker engine: ${engine} \\(capacity 2\\)`),
      );
      const [output] = await Array.fromAsync(
        Deno.readDir(join(dir, "out", "tasks.jsonl-train", "CodeActAgent")),
      );
      const row = JSON.parse(
        (await Deno.readTextFile(
          join(dir, "out", "tasks.jsonl-train", "CodeActAgent", output!.name, "output.jsonl"),
        )).trim(),
      );
      assert.equal(row.error, null);
      assert.match(row.test_result.git_patch, /^diff --git /m);

      const noAgent = await velora(["validate", "x.jsonl", "--engine", engine], {
        cwd: dir,
        env: { SSH_AUTH_SOCK: "" },
      });
      assert.equal(noAgent.code, 2);
      assert.match(noAgent.stderr, /ssh engines authenticate with the ssh agent/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
