/**
 * Command-line arguments of the runtime server, compatible with OpenHands'
 * `action_execution_server.py` (argparse): `<port> --working-dir D --plugins P... --username U
 * --user-id N --enable-browser/--no-enable-browser --browsergym-eval-env E`, plus `--host`.
 * Unknown flags are accepted with a warning.
 *
 * @module
 */

/** Parsed server options. */
export interface ServerArgs {
  port: number;
  host: string;
  workingDir: string;
  plugins: string[];
  username: string;
  userId: number;
  enableBrowser: boolean;
  browsergymEvalEnv: string | null;
  /** Seconds without a request from the owner before the server exits; 0 (the default) is off. */
  ownerTimeout: number;
  /** `--help` or `-h`: print {@linkcode HELP} and exit. */
  help: boolean;
  /** Flags that were not understood (already reported in `warnings`). */
  unknown: string[];
  /** Lines to print on stderr. */
  warnings: string[];
}

/** A command-line mistake (the caller prints it with the usage line and exits 2). */
export class ServerArgsError extends Error {
  /** Creates the error with its one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "ServerArgsError";
  }
}

/** The usage line. */
export const USAGE = "usage: runtime-server PORT [--host HOST] [--working-dir DIR] " +
  "[--plugins NAME ...] [--username USER] [--user-id UID] [--enable-browser | " +
  "--no-enable-browser] [--browsergym-eval-env ENV] [--owner-timeout SECONDS] [--help]";

/** What `--help` prints. */
export const HELP = `${USAGE}

velora's OpenHands-compatible action execution server.

  PORT                     port to listen on
  --host HOST              address to bind (default 127.0.0.1)
  --working-dir DIR        working directory of the bash session (default /workspace)
  --owner-timeout SECONDS  exit (code 3) when no request carrying the session key (an action,
                           POST /heartbeat, or GET /alive with the key) arrived for SECONDS;
                           0 turns it off (the default). velora's sandboxes set it (30 s,
                           VELORA_SANDBOX_OWNER_TIMEOUT) and send a heartbeat every few seconds,
                           so a sandbox stops soon after the velora process that owns it is gone
  --plugins, --username, --user-id, --enable-browser, --no-enable-browser,
  --browsergym-eval-env    accepted for OpenHands compatibility (commands run as the server's user)
  -h, --help               show this help

Environment: SESSION_API_KEY (require X-Session-API-Key on every path but /alive: 403
otherwise), NO_CHANGE_TIMEOUT_SECONDS (bash soft timeout, default 10), VELORA_BASH_MODE (auto, pty
or pipe).`;

/** Parses the arguments; throws {@linkcode ServerArgsError} on a missing or bad value. */
export function parseServerArgs(args: string[]): ServerArgs {
  const result: ServerArgs = {
    port: -1,
    host: "127.0.0.1",
    workingDir: "/workspace",
    plugins: [],
    username: "openhands",
    userId: 1000,
    enableBrowser: true,
    browsergymEvalEnv: null,
    ownerTimeout: 0,
    help: false,
    unknown: [],
    warnings: [],
  };
  let portSeen = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") continue;
    if (arg === "-h" || arg === "--help") {
      result.help = true;
      continue;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (!portSeen) {
        result.port = parsePort(arg);
        portSeen = true;
      } else {
        result.warnings.push(`Ignoring extra argument "${arg}"`);
      }
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : null;
    const value = (): string => {
      if (inline !== null) return inline;
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) {
        throw new ServerArgsError(`argument ${flag}: expected one argument`);
      }
      i++;
      return next;
    };
    switch (flag) {
      case "--port":
        result.port = parsePort(value());
        portSeen = true;
        break;
      case "--host":
        result.host = value();
        break;
      case "--working-dir":
        result.workingDir = value();
        break;
      case "--username":
        result.username = value();
        break;
      case "--user-id": {
        const text = value();
        if (!/^-?\d+$/.test(text)) {
          throw new ServerArgsError(`argument --user-id: invalid int value: '${text}'`);
        }
        result.userId = Number(text);
        break;
      }
      case "--owner-timeout": {
        const text = value();
        const seconds = Number(text);
        if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0) {
          throw new ServerArgsError(
            `argument --owner-timeout: invalid value: '${text}' (expected seconds, 0 for off)`,
          );
        }
        result.ownerTimeout = seconds;
        break;
      }
      case "--browsergym-eval-env":
        result.browsergymEvalEnv = value();
        break;
      case "--enable-browser":
        result.enableBrowser = true;
        break;
      case "--no-enable-browser":
        result.enableBrowser = false;
        break;
      case "--plugins": {
        if (inline !== null) result.plugins.push(inline);
        while (i + 1 < args.length && !args[i + 1]!.startsWith("-")) {
          result.plugins.push(args[++i]!);
        }
        if (result.plugins.length === 0) {
          throw new ServerArgsError("argument --plugins: expected at least one argument");
        }
        break;
      }
      default:
        result.unknown.push(arg);
        result.warnings.push(`Ignoring unknown option "${arg}"`);
    }
  }
  if (!portSeen && !result.help) {
    throw new ServerArgsError("the following arguments are required: port");
  }
  return result;
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new ServerArgsError(`argument port: invalid int value: '${text}'`);
  }
  return Number(text);
}
