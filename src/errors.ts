/**
 * Error classes and the exit code each one maps to.
 *
 * User errors (a bad flag, a bad pipeline file, a run directory in use) print one line and no stack.
 * Anything that is not a {@linkcode VeloraError} is an internal error: exit 1 with the stack.
 *
 * @module
 */

/** Exit codes of the `velora` executable. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  interrupted: 130,
} as const;

/** Base class of the errors velora reports as one line, without a stack. */
export class VeloraError extends Error {
  /** The process exit code this error maps to. */
  readonly exitCode: number = EXIT.failed;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A bad command line: unknown flag, missing argument, bad `--set`. Exit 2. */
export class UsageError extends VeloraError {
  override readonly exitCode: number = EXIT.usage;
}

/** Where in a file a problem is: a key path and, when known, a 1-based line and column. */
export interface SourcePlace {
  /** The file the problem is in. */
  file: string;
  /** Key path such as `phases[1].command`; empty for a whole-file problem. */
  path?: string;
  /** 1-based line. */
  line?: number;
  /** 1-based column. */
  column?: number;
}

/** Formats a place as `file:line:col: path` (parts that are unknown are left out). */
export function formatPlace(place: SourcePlace): string {
  let out = place.file;
  if (place.line !== undefined) {
    out += `:${place.line}`;
    if (place.column !== undefined) out += `:${place.column}`;
  }
  if (place.path) out += `: ${place.path}`;
  return out;
}

/** A bad pipeline or config file. The message starts with the place. Exit 2. */
export class ConfigError extends UsageError {
  /** The place the problem is at. */
  readonly place: SourcePlace;

  constructor(place: SourcePlace, detail: string, options?: ErrorOptions) {
    super(`${formatPlace(place)}: ${detail}`, options);
    this.place = place;
  }
}

/** A run directory already driven by another velora process. Exit 2. */
export class LockedError extends UsageError {}

/** A phase failed; the run stops and can be resumed. Exit 1, one line. */
export class PhaseFailedError extends VeloraError {}

/** The user interrupted the run (SIGINT/SIGTERM). Exit 130. */
export class InterruptedError extends VeloraError {
  override readonly exitCode: number = EXIT.interrupted;
}

/** The errnos of a file system that refuses a write, with the text velora prints for each. */
const DISK_ERRNOS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EFBIG: "file too large",
  EIO: "input/output error",
};

/** Deno's file operations as they appear in its error messages, and the verb velora prints. */
const DENO_OPS: Record<string, string> = {
  mkdir: "create",
  open: "open",
  writefile: "write",
  readfile: "read",
  readdir: "read",
  stat: "read",
  lstat: "read",
  realpath: "read",
  remove: "remove",
  rename: "write",
  copy: "write",
  truncate: "write",
};

/**
 * The disk refused one of velora's writes: full (`ENOSPC`, `EDQUOT`), read-only (`EROFS`), not
 * permitted (`EACCES`, `EPERM`), or failing (`EIO`). Exit 1, one line naming the path and the
 * errno: `Cannot write "<path>": no space left on device (ENOSPC)`.
 *
 * `src/fs.ts` builds it where velora writes (its writers and {@linkcode onDisk}); `main.ts` maps an
 * OS error that escaped those to it as well.
 */
export class DiskError extends VeloraError {
  /**
   * @param path the file or folder velora was writing
   * @param code the errno, e.g. `ENOSPC`
   * @param verb what velora could not do to `path` @default "write"
   */
  constructor(
    readonly path: string | undefined,
    readonly code: string,
    readonly verb = "write",
    options?: ErrorOptions,
  ) {
    const what = DISK_ERRNOS[code] ?? code;
    super(
      path === undefined
        ? `Cannot ${verb}: ${what} (${code})`
        : `Cannot ${verb} "${path}": ${what} (${code})`,
      options,
    );
  }

  /**
   * The {@linkcode DiskError} of an OS error, or undefined when `error` is not a disk fault. Without
   * `path`, the path (and verb) come from Deno's message (`...: mkdir '/x/run/logs'`).
   */
  static from(error: unknown, path?: string, verb?: string): DiskError | undefined {
    if (error instanceof DiskError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    if (!(error instanceof Error) || typeof code !== "string" || !(code in DISK_ERRNOS)) {
      return undefined;
    }
    if (path === undefined) {
      // "...(os error 30): mkdir '/x'" or "...: rename '/a' -> '/b'" (the target is written).
      const place = error.message.match(/: (\w+) '([^']*)'(?: -> '([^']*)')?$/);
      if (place) {
        path = place[3] ?? place[2];
        verb ??= DENO_OPS[place[1]!];
      }
    }
    return new DiskError(path, code, verb, { cause: error });
  }
}
