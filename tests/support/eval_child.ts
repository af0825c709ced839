/**
 * A separate Deno process running a script (with the repository's deno.json) that prints
 * `ready` once it has set something up: what the "velora was killed with SIGKILL" tests kill.
 *
 * @module
 */

/** The process, once it printed `ready` (or ended). */
export interface ReadyChild {
  /** Its standard output up to `ready`. */
  out: string;
  /** SIGKILLs it and waits until it is gone. */
  kill(): Promise<void>;
}

/** Starts `deno eval <script>` and waits until it prints `ready` (or ends). */
export async function evalUntilReady(script: string): Promise<ReadyChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("../../deno.json", import.meta.url).pathname, script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  return {
    out,
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await reader.cancel().catch(() => {});
    },
  };
}
