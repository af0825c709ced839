/**
 * `runtime-server --install <from> <to>`: copies the folder `from` (velora's files in its runtime
 * image) into `to` (a volume the sandbox's own container mounts), keeping file modes. The init
 * container of a Kubernetes sandbox runs it, with the runtime image's own dynamic loader, so the
 * image needs nothing else (no shell, no `cp`).
 *
 * @module
 */
import { join } from "node:path";

/** Copies `from` into `to` recursively; returns the number of files copied. */
export async function installTree(from: string, to: string): Promise<number> {
  await Deno.mkdir(to, { recursive: true });
  let files = 0;
  for await (const entry of Deno.readDir(from)) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory) {
      files += await installTree(source, target);
    } else if (entry.isFile) {
      await Deno.copyFile(source, target);
      await Deno.chmod(target, (await Deno.stat(source)).mode! & 0o7777);
      files++;
    } else if (entry.isSymlink) {
      await Deno.symlink(await Deno.readLink(source), target);
    }
  }
  return files;
}

/** The command's entry: `--install <from> <to>`; exit code. */
export async function installMain(args: string[]): Promise<number> {
  const [from, to] = args;
  if (!from || !to) {
    console.error("usage: runtime-server --install <from> <to>");
    return 2;
  }
  const started = performance.now();
  const files = await installTree(from, to);
  console.error(
    `installed ${files} files from ${from} into ${to} in ${
      ((performance.now() - started) / 1000).toFixed(2)
    }s`,
  );
  return 0;
}
