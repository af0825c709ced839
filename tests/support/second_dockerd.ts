/**
 * A second Docker engine of the test's own on this machine: `dockerd` with its own socket, data
 * root, exec root and containerd, a bridge interface of its own and no iptables rules (so it leaves
 * the host's network alone), for tests of several engines. Not `--bridge none`: a dockerd started
 * so deletes the host's `docker0`, which the default engine's containers are attached to. It starts with overlay2 and falls back to vfs when a first
 * container cannot run; the images it is asked for are copied in with `docker save | docker load`.
 *
 * `kill()` SIGKILLs the daemon by its PID, as a host that dies would (its containerd goes with it;
 * the containers and their shims keep running). The disposer starts the daemon again on the same
 * folders when it was killed (a restart kills what the dead one left: containers, shims, mounts),
 * removes its containers, stops it by PID, unmounts what is left under its folder and removes it.
 *
 * @module
 */
import { join } from "node:path";
import type { Docker } from "../../src/docker/client.ts";
import { connectEngine, type EngineTlsFiles } from "../../src/docker/engines.ts";

/** A running second engine. */
export interface SecondDockerd extends AsyncDisposable {
  /** `unix://<dir>/docker.sock`. */
  readonly url: string;
  /** `tcp://127.0.0.1:<port>`, when started with `tls`. */
  readonly tcpUrl?: string;
  /** The client certificate files for {@linkcode tcpUrl}, when started with `tls`. */
  readonly tls?: EngineTlsFiles;
  /** The storage driver it ended up with. */
  readonly storageDriver: string;
  /** A client of its socket. */
  readonly docker: Docker;
  /** The daemon's PID. */
  pid(): number;
  /** SIGKILLs the daemon (a dead host) and waits until it is gone. */
  kill(): Promise<void>;
}

/**
 * Why a second engine cannot start here (no `dockerd` on PATH, not root), or undefined. Tests skip
 * for it locally, as they do without Docker, and fail under `CI=true`.
 */
export async function secondDockerdMissing(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "a second dockerd needs root";
  const found = await new Deno.Command("sh", {
    args: ["-c", "command -v dockerd"],
    stdout: "null",
    stderr: "null",
  }).output();
  return found.success ? undefined : "no dockerd on PATH";
}

/** What {@linkcode startSecondDockerd} sets up. */
export interface SecondDockerdOptions {
  /** Images of the default engine to copy in. */
  images?: string[];
  /** Also listen on 127.0.0.1 with TLS (client certificates required). */
  tls?: boolean;
}

/** Starts a second `dockerd`; dispose of it (`await using`) to stop it and remove its folders. */
export async function startSecondDockerd(
  options: SecondDockerdOptions = {},
): Promise<SecondDockerd> {
  const dir = await Deno.makeTempDir({ prefix: "velora-dockerd-" });
  const bridge = await makeBridge();
  const socket = join(dir, "docker.sock");
  const url = `unix://${socket}`;
  await Deno.writeTextFile(join(dir, "daemon.json"), "{}\n");
  const tls = options.tls ? await makeCertificates(join(dir, "certs")) : undefined;
  const port = tls ? freePort() : undefined;
  let daemon: Daemon | undefined;
  let driver = "overlay2";
  const start = async () => {
    daemon = spawnDaemon(dir, bridge, driver, tls && port ? { ...tls, port } : undefined);
    await untilAnswers(url, daemon);
  };
  try {
    await start();
    await copyImages(options.images ?? [], url);
    if (options.images?.length && !(await canRun(url, options.images[0]!))) {
      // overlay2 over this folder's file system does not work here: vfs copies, but always works.
      await stop(daemon!);
      await unmountUnder(dir);
      await Deno.remove(join(dir, "data"), { recursive: true });
      driver = "vfs";
      await start();
      await copyImages(options.images, url);
    }
  } catch (error) {
    if (daemon) await stop(daemon).catch(() => {});
    await removeFolder(dir);
    await removeBridge(bridge);
    throw error;
  }
  const docker = await connectEngine({ url }, "second dockerd");
  return {
    url,
    ...(tls && port ? { tcpUrl: `tcp://127.0.0.1:${port}`, tls: tls.client } : {}),
    storageDriver: driver,
    docker,
    pid: () => daemon!.child.pid,
    async kill() {
      daemon!.child.kill("SIGKILL");
      await daemon!.child.status;
    },
    async [Symbol.asyncDispose]() {
      try {
        if (daemon!.exited) await start(); // cleans up what the killed daemon left
        await removeAllContainers(url);
        await stop(daemon!);
      } finally {
        await killShimsOf(dir);
        await removeFolder(dir);
        await removeBridge(bridge);
      }
    },
  };
}

interface Daemon {
  child: Deno.ChildProcess;
  exited: boolean;
  /** Its last output lines, for errors. */
  log(): string;
}

function spawnDaemon(
  dir: string,
  bridge: string,
  driver: string,
  tls: (Certificates & { port: number }) | undefined,
): Daemon {
  const args = [
    "--config-file",
    join(dir, "daemon.json"),
    "--host",
    `unix://${join(dir, "docker.sock")}`,
    "--data-root",
    join(dir, "data"),
    "--exec-root",
    join(dir, "exec"),
    "--pidfile",
    join(dir, "docker.pid"),
    "--bridge",
    bridge,
    "--iptables=false",
    "--ip-masq=false",
    "--storage-driver",
    driver,
    ...(tls
      ? [
        "--host",
        `tcp://127.0.0.1:${tls.port}`,
        "--tlsverify",
        "--tlscacert",
        tls.server.ca,
        "--tlscert",
        tls.server.cert,
        "--tlskey",
        tls.server.key,
      ]
      : []),
  ];
  const child = new Deno.Command("dockerd", { args, stdout: "piped", stderr: "piped" }).spawn();
  let output = "";
  const keep = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output = (output + text).slice(-20_000);
    }
  };
  keep(child.stdout).catch(() => {});
  keep(child.stderr).catch(() => {});
  const daemon: Daemon = {
    child,
    exited: false,
    log: () => output.split("\n").slice(-15).join("\n"),
  };
  child.status.then(() => (daemon.exited = true));
  return daemon;
}

async function untilAnswers(url: string, daemon: Daemon): Promise<void> {
  const docker = await connectEngine({ url }, "second dockerd");
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (daemon.exited) throw new Error(`dockerd exited at start:\n${daemon.log()}`);
    try {
      await docker.ping();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`dockerd did not answer in 60 s (${error}):\n${daemon.log()}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops the daemon by its PID: SIGTERM, then SIGKILL after 30 s. */
async function stop(daemon: Daemon): Promise<void> {
  if (daemon.exited) return;
  daemon.child.kill("SIGTERM");
  const timer = setTimeout(() => {
    if (!daemon.exited) daemon.child.kill("SIGKILL");
  }, 30_000);
  try {
    await daemon.child.status;
  } finally {
    clearTimeout(timer);
  }
}

async function sh(script: string): Promise<{ ok: boolean; out: string }> {
  const out = await new Deno.Command("bash", {
    args: ["-o", "pipefail", "-c", script],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, out: text };
}

async function copyImages(images: string[], url: string): Promise<void> {
  for (const image of images) {
    const done = await sh(`docker save '${image}' | docker -H '${url}' load -q`);
    if (!done.ok) throw new Error(`Copying ${image} into ${url} failed: ${done.out}`);
  }
}

async function canRun(url: string, image: string): Promise<boolean> {
  return (await sh(`docker -H '${url}' run --rm --network none '${image}' true`)).ok;
}

async function removeAllContainers(url: string): Promise<void> {
  await sh(`ids=$(docker -H '${url}' ps -aq); [ -z "$ids" ] || docker -H '${url}' rm -f $ids`);
}

/** Kills containerd shims (and what runs under them) that a dead daemon of `dir` left, by PID. */
async function killShimsOf(dir: string): Promise<void> {
  const parents = new Map<number, number>();
  const shims: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
      parents.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
      if (cmdline.includes("containerd-shim") && cmdline.includes(dir)) shims.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  const doomed = new Set(shims);
  for (let grown = true; grown;) {
    grown = false;
    for (const [pid, parent] of parents) {
      if (doomed.has(parent) && !doomed.has(pid)) {
        doomed.add(pid);
        grown = true;
      }
    }
  }
  for (const pid of doomed) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** Unmounts everything mounted under `dir` (the data root's bind mount, overlays), deepest first. */
async function unmountUnder(dir: string): Promise<void> {
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  const points = info.split("\n").map((line) => line.split(" ")[4] ?? "")
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await sh(`umount -l '${point}'`);
}

/** A bridge interface of the daemon's own, on a /24 of 172.31.0.0/16 that no interface uses. */
async function makeBridge(): Promise<string> {
  const name = `vd2-${crypto.randomUUID().slice(0, 8)}`;
  const used = new TextDecoder().decode(
    (await new Deno.Command("ip", { args: ["-4", "-o", "addr"], stdout: "piped" }).output()).stdout,
  );
  let subnet = 0;
  do subnet = 1 + Math.floor(Math.random() * 254); while (used.includes(`172.31.${subnet}.`));
  for (
    const args of [
      ["link", "add", name, "type", "bridge"],
      ["addr", "add", `172.31.${subnet}.1/24`, "dev", name],
      ["link", "set", name, "up"],
    ]
  ) {
    const out = await new Deno.Command("ip", { args, stdout: "null", stderr: "piped" }).output();
    if (!out.success) {
      await removeBridge(name);
      throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
    }
  }
  return name;
}

async function removeBridge(name: string): Promise<void> {
  await new Deno.Command("ip", { args: ["link", "delete", name], stdout: "null", stderr: "null" })
    .output();
}

async function removeFolder(dir: string): Promise<void> {
  await unmountUnder(dir);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

interface Certificates {
  server: EngineTlsFiles;
  client: EngineTlsFiles;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
async function makeCertificates(dir: string): Promise<Certificates> {
  await Deno.mkdir(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const subj = (cn: string) => `-subj '/CN=${cn}'`;
  const done = await sh(`set -e; cd '${dir}'
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -keyout ca-key.pem -out ca.pem ${
    subj("velora test CA")
  } 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr ${
    subj("127.0.0.1")
  } 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \\
      -extfile server.ext -out server-cert.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr ${
    subj("client")
  } 2>/dev/null
    printf 'extendedKeyUsage=clientAuth\\n' > client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 \\
      -extfile client.ext -out cert.pem 2>/dev/null`);
  if (!done.ok) throw new Error(`Making test certificates failed: ${done.out}`);
  return {
    server: { ca: at("ca.pem"), cert: at("server-cert.pem"), key: at("server-key.pem") },
    client: { ca: at("ca.pem"), cert: at("cert.pem"), key: at("key.pem") },
  };
}
