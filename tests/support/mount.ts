/**
 * Small tmpfs mounts for disk-fault tests: a full disk (`size=`) and a read-only one (a remount
 * with `ro`; root ignores file modes, so a mode bit would not make a directory read-only).
 *
 * Mounting needs root. Without it the tests are skipped locally but fail under `CI=true`, like the
 * Docker tests (see docker.ts), so CI never passes by skipping them.
 *
 * @module
 */

async function sh(args: string[]): Promise<{ ok: boolean; text: string }> {
  const out = await new Deno.Command(args[0]!, {
    args: args.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, text: decode(out.stdout) + decode(out.stderr) };
}

let probe: Promise<boolean> | undefined;

/** Whether this process may mount a tmpfs (checked once). */
export function canMount(): Promise<boolean> {
  probe ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "velora-mount-probe-" });
    try {
      if (
        !(await sh(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]).catch(() => ({
          ok: false,
        }))).ok
      ) return false;
      await sh(["umount", dir]);
      return true;
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  })();
  return probe;
}

/** The `ignore` value of a mount test: true only when mounting is refused and `CI` is not `true`. */
export async function ignoreWithoutMount(): Promise<boolean> {
  return Deno.env.get("CI") !== "true" && !(await canMount());
}

/** A tmpfs mounted on a fresh directory; unmount it in `finally` (or `await using`). */
export class Tmpfs implements AsyncDisposable {
  #mounted = true;

  private constructor(readonly dir: string, readonly ownsDir: boolean) {}

  /**
   * Mounts a tmpfs of `size` (e.g. `"1m"`, `"256k"`) on `at` (an existing directory, left in place
   * by {@linkcode unmount}) or on a new temp directory.
   */
  static async mount(size: string, at?: string): Promise<Tmpfs> {
    const dir = at ?? await Deno.makeTempDir({ prefix: "velora-tmpfs-" });
    const result = await sh(["mount", "-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
    if (!result.ok) {
      if (!at) await Deno.remove(dir).catch(() => {});
      throw new Error(`mount tmpfs on ${dir} failed: ${result.text}`);
    }
    return new Tmpfs(dir, !at);
  }

  /** Remounts with other options, e.g. `"ro"`, `"rw"`, `"size=64m"`. */
  async remount(options: string): Promise<void> {
    const result = await sh(["mount", "-o", `remount,${options}`, this.dir]);
    if (!result.ok) throw new Error(`remount ${options} of ${this.dir} failed: ${result.text}`);
  }

  /** Unmounts (lazily, so an open file cannot keep it) and removes a directory it made; twice is once. */
  async unmount(): Promise<void> {
    if (!this.#mounted) return;
    this.#mounted = false;
    await sh(["umount", "-l", this.dir]);
    if (this.ownsDir) await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.unmount();
  }
}

/** Fills a file in `dir` until the file system is full, then frees `leave` bytes of it. */
export async function fillUp(dir: string, leave: number): Promise<string> {
  const path = `${dir}/filler`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const block = new Uint8Array(4096);
  let size = 0;
  try {
    for (;;) size += await file.write(block);
  } catch {
    // ENOSPC: full
  } finally {
    file.close();
  }
  await Deno.truncate(path, Math.max(0, size - leave));
  return path;
}
