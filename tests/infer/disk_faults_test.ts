/**
 * Disk faults during `velora run` of an infer pipeline (fake model on 127.0.0.1, demo image): a
 * read-only output directory and a full disk end the run with one line naming the path and the
 * errno (exit 1, no stack), leave no temp file and no torn row, and stop the sandboxes; once space
 * is freed the next run completes with one row per instance.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { call, FakeOpenAI, type FakeReply, handler } from "../fakes/fake_openai.ts";
import { TEST_API_KEY } from "../agent/_support.ts";
import { DEMO_IMAGE, ensureDemoImage, REPO_ROOT } from "../support/demo_image.ts";
import { ignoreWithoutDocker, testDocker } from "../support/docker.ts";
import { ignoreWithoutMount, Tmpfs } from "../support/mount.ts";
import { listTree, readOrEmpty, spawnVelora } from "../support/velora.ts";

const ignore = (await ignoreWithoutDocker()) || (await ignoreWithoutMount());
const docker = testDocker();
const demoRow = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}data/demo/tasks.jsonl`));

/** The output directory of the pipeline below, relative to its run directory. */
const OUT = "outputs/tasks.jsonl-train/CodeActAgent/gpt-4o_maxiter_5";
/** Sandboxes outlive their velora for long enough that leftovers would still be seen. */
const ENV = { RUNTIME_CONTAINER_IMAGE: DEMO_IMAGE, VELORA_SANDBOX_OWNER_TIMEOUT: "300" };
const STACK = /^\s+at /m;

/**
 * A pipeline over `count` demo instances whose run directory is `runDir`, and a fake model that
 * answers every call with a finish carrying `padding` characters of thought (so completion logs
 * and rows are large).
 */
async function setup(runDir: string, count: number, padding: number) {
  await ensureDemoImage();
  const dir = await Deno.makeTempDir({ prefix: "velora-disk-" });
  const ids = Array.from({ length: count }, (_, n) => `demo__durations-d${n + 1}`);
  await Deno.writeTextFile(
    join(dir, "tasks.jsonl"),
    ids.map((id) => JSON.stringify({ ...demoRow, instance_id: id })).join("\n") + "\n",
  );
  const server = FakeOpenAI.start([], { apiKey: TEST_API_KEY });
  // Each instance runs `sleep 2` and then finishes: with the workers' starts a second apart, a
  // fault always finds other instances in the middle of their episode, with live sandboxes.
  const pad = "x".repeat(padding);
  for (let n = 0; n < 8 * count; n++) {
    server.push(handler(({ body }) =>
      completion(
        body.messages.at(-1)?.role === "tool"
          ? { content: pad, tool_calls: [call("finish", { message: "Done." })] }
          : { tool_calls: [call("execute_bash", { command: "sleep 2" })] },
      )
    ));
  }
  await Deno.writeTextFile(
    join(dir, "config.toml"),
    `[llm.fake]\nmodel = "openai/gpt-4o"\nbase_url = "${server.url}"\napi_key = "${TEST_API_KEY}"\n` +
      "num_retries = 0\n",
  );
  await Deno.writeTextFile(
    join(dir, "p.toml"),
    `name = "disk-faults"
output_dir = "${runDir}"

[[phases]]
kind = "infer"
dataset = "tasks.jsonl"
config_file = "config.toml"
llm_config = "llm.fake"
num_workers = 3
start_stagger = 1
max_iterations = 5
max_retries = 0
retry_delay = 0
`,
  );
  return { dir, ids, server };
}

let replies = 0;

/** A chat completion as the fake server sends it, for a handler step. */
function completion(reply: FakeReply): Response {
  const n = ++replies;
  return Response.json({
    id: `chatcmpl-disk-${n}`,
    object: "chat.completion",
    created: 1_700_000_000 + n,
    model: "fake-model",
    choices: [{
      index: 0,
      finish_reason: "tool_calls",
      logprobs: null,
      message: {
        role: "assistant",
        content: reply.content ?? null,
        refusal: null,
        tool_calls: (reply.tool_calls ?? []).map((c, i) => ({
          id: `call_disk_${n}_${i}`,
          type: "function",
          function: { name: c.name, arguments: JSON.stringify(c.arguments) },
        })),
      },
    }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  });
}

/** Containers (running or not) labelled with this velora process's PID. */
async function containersOf(pid: number) {
  return (await docker.listContainers({ all: true })).filter((c) =>
    c.Labels["velora.pid"] === String(pid)
  );
}

/** Runs velora to the end; returns its result and whether containers of its PID remain. */
async function runVelora(dir: string) {
  const child = spawnVelora(["run", "p.toml"], { cwd: dir, env: ENV });
  const result = await child.done;
  const leftovers = await containersOf(child.pid);
  for (const c of leftovers) {
    await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
  }
  return { ...result, leftovers: leftovers.map((c) => c.Names[0]) };
}

function lastLine(text: string): string {
  return text.trimEnd().split("\n").at(-1) ?? "";
}

/** Every line of output.jsonl is a whole row; returns the ids. */
function wholeRows(text: string): string[] {
  if (text === "") return [];
  assert.ok(text.endsWith("\n"), "output.jsonl ends with a whole line");
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line).instance_id);
}

Deno.test({
  name:
    "disk: a read-only run directory or llm_completions folder is one EROFS line, no sandbox left",
  ignore,
  async fn() {
    // The run directory cannot be created: the run stops before any sandbox starts.
    const readOnly = await Tmpfs.mount("1m");
    const { dir, server } = await setup(join(readOnly.dir, "run"), 2, 10);
    try {
      await readOnly.remount("ro");
      const first = await runVelora(dir);
      assert.equal(first.code, 1, first.stderr);
      assert.doesNotMatch(first.stderr, STACK);
      assert.match(
        lastLine(first.stderr),
        new RegExp(
          `^velora: Cannot \\w+ "${readOnly.dir}/run[^"]*": read-only file system \\(EROFS\\)$`,
        ),
      );

      // The second instance's llm_completions folder is read-only: its first completion cannot be
      // logged, while the first instance runs its command in its sandbox.
      const runDir = join(dir, "run");
      await Deno.writeTextFile(
        join(dir, "p.toml"),
        (await Deno.readTextFile(join(dir, "p.toml"))).replace(readOnly.dir, dir),
      );
      await readOnly.unmount();
      const completions = join(runDir, OUT, "llm_completions", "demo__durations-d2");
      await Deno.mkdir(completions, { recursive: true });
      const locked = await Tmpfs.mount("1m", completions);
      try {
        await locked.remount("ro");
        const second = await runVelora(dir);
        assert.equal(second.code, 1, second.stderr);
        assert.doesNotMatch(second.stderr, STACK);
        assert.match(
          lastLine(second.stderr),
          new RegExp(
            `^velora: Cannot write "${completions}/[^"]+\\.json": read-only file system \\(EROFS\\)$`,
          ),
        );
        assert.deepEqual(second.leftovers, [], "no sandbox of that velora remains");
        assert.deepEqual(wholeRows(await readOrEmpty(join(runDir, OUT, "output.jsonl"))), []);
      } finally {
        await locked.unmount();
      }
    } finally {
      await readOnly.unmount();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "disk: a full disk mid-infer is one ENOSPC line, no temp file, whole rows; freed, it resumes",
  ignore,
  async fn() {
    const disk = await Tmpfs.mount("1m");
    const runDir = join(disk.dir, "run");
    const { dir, ids, server } = await setup(runDir, 6, 150_000);
    try {
      const first = await runVelora(dir);
      assert.equal(first.code, 1, first.stderr);
      assert.doesNotMatch(first.stderr, STACK);
      assert.match(
        lastLine(first.stderr),
        new RegExp(`^velora: Cannot \\w+ "${runDir}/[^"]+": no space left on device \\(ENOSPC\\)$`),
      );
      assert.deepEqual(first.leftovers, [], "no sandbox of that velora remains");
      const files = await listTree(runDir);
      assert.deepEqual(files.filter((f) => /\.tmp-/.test(f)), [], "no temp file");
      const kept = wholeRows(await readOrEmpty(join(runDir, OUT, "output.jsonl")));
      assert.ok(kept.length < ids.length, `the disk filled before the end (${kept.length} rows)`);
      for (
        const f of files.filter((f) =>
          f.startsWith(`${OUT}/llm_completions/`) && f.endsWith(".json")
        )
      ) {
        JSON.parse(await Deno.readTextFile(join(runDir, f))); // no torn completion log
      }

      await disk.remount("size=64m");
      const second = await runVelora(dir);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(second.leftovers, []);
      const rows = wholeRows(await Deno.readTextFile(join(runDir, OUT, "output.jsonl")));
      assert.deepEqual([...rows].sort(), [...ids].sort(), "one row per instance, no duplicates");
      assert.deepEqual(rows.slice(0, kept.length), kept, "rows of the first run are kept");
    } finally {
      await disk.unmount();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
