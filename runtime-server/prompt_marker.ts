/**
 * The marker the bash session prints as its prompt, and a scanner
 * that splits a byte stream into command output and markers.
 *
 * The marker is `\x1e\x1f<nonce>\x1f<exit>\x1f<pid>\x1f<user>\x1f<host>\x1f<python>\x1f<cwd>\x1f\x1e`:
 * control characters a terminal passes through untouched, and a random nonce so command output
 * cannot imitate it by accident.
 *
 * @module
 */

const RS = 0x1e;
const US = 0x1f;
const MAX_MARKER_BYTES = 64 * 1024;

/** The fields a prompt marker carries. */
export interface PromptInfo {
  exitCode: number;
  pid: number;
  username: string;
  hostname: string;
  pyInterpreterPath: string;
  workingDir: string;
}

/**
 * Bash lines that make every prompt print the marker for `nonce`. The marker is the expansion
 * of `PS1` (so it carries the last command's `$?` and `$!`), and `PROMPT_COMMAND` puts that
 * `PS1` back before each prompt, as OpenHands does, in case a command (a virtualenv, a sourced
 * `.bashrc`) changed it. Finding `python` walks `PATH` in bash itself: one fork per prompt. The
 * host is bash's `\h` (the hostname up to its first dot), as in OpenHands' `PS1`.
 */
export function promptSetup(nonce: string): string[] {
  const ps1 = `'$(__velora_marker "$?" "$!")'`;
  return [
    "__velora_marker() {",
    "  local IFS=: d py=",
    '  for d in $PATH; do if [ -x "$d/python" ] && [ ! -d "$d/python" ]; then py=$d/python; ' +
    "break; fi; done",
    `  printf '\\036\\037%s\\037%s\\037%s\\037%s\\037%s\\037%s\\037%s\\037\\036' '${nonce}' ` +
    '"$1" "${2:--1}" "$__velora_user" "${HOSTNAME%%.*}" "$py" "$PWD"',
    "}",
    `PS1=${ps1}`,
    "PS2=''",
    `PROMPT_COMMAND="PS1=${ps1.replaceAll('"', '\\"').replaceAll("$", "\\$")}; PS2=''"`,
  ];
}

/** Splits a byte stream into output bytes and prompt markers. */
export class PromptScanner {
  #start: Uint8Array;
  #carry: Uint8Array | null = null;
  #onData: (bytes: Uint8Array) => void;
  #onPrompt: (info: PromptInfo) => void;
  #decoder = new TextDecoder();

  /** Creates a scanner for markers carrying `nonce`. */
  constructor(
    nonce: string,
    onData: (bytes: Uint8Array) => void,
    onPrompt: (info: PromptInfo) => void,
  ) {
    this.#start = new Uint8Array([RS, US, ...new TextEncoder().encode(nonce), US]);
    this.#onData = onData;
    this.#onPrompt = onPrompt;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.#carry) {
      data = new Uint8Array(this.#carry.length + chunk.length);
      data.set(this.#carry);
      data.set(chunk, this.#carry.length);
      this.#carry = null;
    }
    const start = this.#start;
    let pos = 0;
    while (pos < data.length) {
      const i = data.indexOf(RS, pos);
      if (i < 0) break;
      const available = data.length - i;
      const n = Math.min(available, start.length);
      let matches = true;
      for (let k = 1; k < n; k++) {
        if (data[i + k] !== start[k]) {
          matches = false;
          break;
        }
      }
      if (!matches) {
        this.#emit(data.subarray(pos, i + 1));
        pos = i + 1;
        continue;
      }
      if (available < start.length) {
        this.#emit(data.subarray(pos, i));
        this.#carry = data.slice(i);
        return;
      }
      const end = findEnd(data, i + start.length);
      if (end < 0) {
        if (available > MAX_MARKER_BYTES) {
          this.#emit(data.subarray(pos, i + 1));
          pos = i + 1;
          continue;
        }
        this.#emit(data.subarray(pos, i));
        this.#carry = data.slice(i);
        return;
      }
      this.#emit(data.subarray(pos, i));
      this.#onPrompt(parseFields(this.#decoder.decode(data.subarray(i + start.length, end))));
      pos = end + 2;
    }
    this.#emit(data.subarray(pos));
  }

  /** Hands over bytes held back as a possible marker start (at end of stream). */
  flush(): void {
    if (this.#carry) this.#emit(this.#carry);
    this.#carry = null;
  }

  #emit(bytes: Uint8Array): void {
    if (bytes.length > 0) this.#onData(bytes);
  }
}

function findEnd(data: Uint8Array, from: number): number {
  let at = from;
  while (true) {
    const i = data.indexOf(US, at);
    if (i < 0 || i + 1 >= data.length) return -1;
    if (data[i + 1] === RS) return i;
    at = i + 1;
  }
}

function parseFields(text: string): PromptInfo {
  const [exit = "", pid = "", user = "", host = "", py = "", ...cwd] = text.split("\x1f");
  const toInt = (s: string) => {
    const v = Math.trunc(Number.parseFloat(s));
    return Number.isFinite(v) ? v : -1;
  };
  return {
    exitCode: toInt(exit),
    pid: toInt(pid),
    username: user,
    hostname: host,
    pyInterpreterPath: py,
    workingDir: cwd.join("\x1f"),
  };
}
