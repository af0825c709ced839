/**
 * Drives a program on a real terminal: a tmux server of its own (a socket in a temporary folder
 * removed on close, no config)
 * with one window, keys sent with `send-keys`, the screen read with `capture-pane`.
 *
 * @module
 */

/** Whether `tmux` is on PATH. */
export async function tmuxAvailable(): Promise<boolean> {
  try {
    const out = await new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** A program running in a tmux window of a private tmux server. */
export class TmuxTerminal {
  readonly #dir: string;
  readonly socket: string;

  private constructor(dir: string) {
    this.#dir = dir;
    this.socket = `${dir}/tmux.sock`;
  }

  /**
   * Starts `argv` (run directly, not through a shell) in a `columns` x `rows` window. The pane
   * stays after the program exits, so its exit status can be read.
   */
  static async start(
    argv: string[],
    options: { columns?: number; rows?: number; cwd?: string; env?: Record<string, string> } = {},
  ): Promise<TmuxTerminal> {
    const terminal = new TmuxTerminal(await Deno.makeTempDir({ prefix: "velora-tmux-" }));
    const env = Object.entries(options.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    await terminal.tmux(
      "new-session",
      "-d",
      "-x",
      String(options.columns ?? 200),
      "-y",
      String(options.rows ?? 50),
      ...(options.cwd ? ["-c", options.cwd] : []),
      ...env,
      "--",
      ...argv,
      ";",
      "set-option",
      "remain-on-exit",
      "on",
    );
    return terminal;
  }

  /** Runs a tmux command against this server; its stdout. */
  async tmux(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-S", this.socket, "-f", "/dev/null", ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    if (!out.success) throw new Error(`tmux ${args.join(" ")}: ${decode(out.stderr).trim()}`);
    return decode(out.stdout);
  }

  /** Types text literally (no key names). */
  async type(text: string): Promise<void> {
    await this.tmux("send-keys", "-l", text);
  }

  /** Presses keys by tmux name: `Enter`, `C-c`, `Up`, ... */
  async press(...keys: string[]): Promise<void> {
    await this.tmux("send-keys", ...keys);
  }

  /** The screen's text, wrapped lines joined, trailing blank lines dropped. */
  async screen(): Promise<string> {
    return (await this.tmux("capture-pane", "-p", "-J")).replace(/\s+$/, "");
  }

  /** A pane format variable, e.g. `pane_pid`, `pane_dead`, `pane_dead_status`. */
  async format(name: string): Promise<string> {
    return (await this.tmux("display-message", "-p", `#{${name}}`)).trim();
  }

  /** The program's process id. */
  async pid(): Promise<number> {
    return Number(await this.format("pane_pid"));
  }

  /** The program's exit status once it has exited, else undefined. */
  async exitStatus(): Promise<number | undefined> {
    if ((await this.format("pane_dead")) !== "1") return undefined;
    return Number(await this.format("pane_dead_status"));
  }

  /** Stops the tmux server: the program gets SIGHUP as when a terminal window closes. */
  async close(): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }
}
