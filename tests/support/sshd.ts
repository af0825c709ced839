/**
 * An ssh server of the test's own on 127.0.0.1 (Debian's `sshd`, keys made for it, root login
 * with a key only) and an ssh agent holding that key: what velora's `ssh://` Docker engines need
 * (docker-modem runs `docker system dial-stdio` over ssh, authenticating with the agent). Both are
 * stopped by their PIDs and the folder removed when disposed.
 *
 * Without `sshd` the tests that need it are skipped locally and fail under `CI=true` (`.ci/run`
 * installs openssh-server).
 *
 * @module
 */
import { join } from "node:path";

/** The sshd binary. */
export const SSHD = "/usr/sbin/sshd";

/** Why an sshd cannot run here, or undefined. */
export function sshdMissing(): string | undefined {
  if (Deno.uid() !== 0) return "the test sshd logs in as root: run as root";
  try {
    if (Deno.statSync(SSHD).isFile) return undefined;
  } catch { /* missing */ }
  return `no ${SSHD} (apt-get install openssh-server)`;
}

/** A running sshd and agent. */
export interface TestSshd extends AsyncDisposable {
  port: number;
  /** The agent's socket, for `SSH_AUTH_SOCK`. */
  agentSocket: string;
}

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${command} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Starts an sshd on a free 127.0.0.1 port and an agent with the key it accepts. */
export async function startSshd(): Promise<TestSshd> {
  const dir = await Deno.makeTempDir({ prefix: "velora-sshd-" });
  const pids: number[] = [];
  const stop = async () => {
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch { /* gone */ }
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "user_key")]);
    await Deno.copyFile(join(dir, "user_key.pub"), join(dir, "authorized_keys"));
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    await Deno.writeTextFile(
      join(dir, "sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(dir, "host_key")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "StrictModes no",
        "UsePAM no",
        `PidFile ${join(dir, "sshd.pid")}`,
      ].join("\n") + "\n",
    );
    // The privilege separation folder sshd insists on (a system folder; created if missing).
    await Deno.mkdir("/run/sshd", { recursive: true });
    await run(SSHD, ["-f", join(dir, "sshd_config"), "-E", join(dir, "sshd.log")]);
    pids.push(Number((await Deno.readTextFile(join(dir, "sshd.pid"))).trim()));
    const agentSocket = join(dir, "agent.sock");
    const agent = await run("ssh-agent", ["-a", agentSocket, "-s"]);
    pids.push(Number(agent.match(/SSH_AGENT_PID=(\d+)/)![1]));
    const add = await new Deno.Command("ssh-add", {
      args: ["-q", join(dir, "user_key")],
      env: { SSH_AUTH_SOCK: agentSocket },
      stderr: "piped",
    }).output();
    if (!add.success) throw new Error(`ssh-add: ${new TextDecoder().decode(add.stderr)}`);
    return { port, agentSocket, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
