/**
 * `velora completions <bash|zsh|fish>`: a completion script made from the command tree itself, so
 * it lists every command and flag of this velora (commands, then their flags; file names where an
 * argument is a path).
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { didYouMean } from "../did_you_mean.ts";
import { UsageError } from "../errors.ts";

/** A command of the tree as completion needs it. */
export interface CompletionCommand {
  /** Words after `velora`, e.g. `["images", "load"]`. */
  path: string[];
  description: string;
  /** Long and short flags, e.g. `--only`, `-o`. */
  flags: string[];
}

const SHELLS = ["bash", "zsh", "fish"] as const;

/** The commands of `program`, depth first (groups such as `images` included). */
export function completionCommands(program: Command): CompletionCommand[] {
  const out: CompletionCommand[] = [];
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands as Command[]) {
      const subPath = [...path, sub.name()];
      const flags = sub.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => !!f);
      out.push({ path: subPath, description: sub.description(), flags: [...flags, "--help"] });
      walk(sub, subPath);
    }
  };
  walk(program, []);
  return out;
}

/** The script for `shell`. */
export function completionScript(shell: string, commands: CompletionCommand[]): string {
  if (shell === "bash") return bashScript(commands);
  if (shell === "zsh") {
    return `#compdef velora\nautoload -U +X bashcompinit && bashcompinit\n${bashScript(commands)}`;
  }
  if (shell === "fish") return fishScript(commands);
  throw new UsageError(
    `Unknown shell "${shell}"${didYouMean(shell, SHELLS)}: expected bash, zsh or fish`,
  );
}

/** Implements `velora completions`. */
export function completionsCommand(shell: string, program: Command): void {
  console.log(completionScript(shell, completionCommands(program)).trimEnd());
}

/** The names of the commands directly under `path`. */
function childrenOf(commands: CompletionCommand[], path: string[]): string[] {
  const prefix = path.join(" ");
  return commands
    .filter((c) => c.path.length === path.length + 1 && c.path.slice(0, -1).join(" ") === prefix)
    .map((c) => c.path.at(-1)!);
}

function bashScript(commands: CompletionCommand[]): string {
  const entries = [{ path: [] as string[], flags: ["--help", "--version"] }, ...commands];
  const cases = entries.map((c) =>
    `    "${c.path.join(" ")}") flags="${c.flags.join(" ")}" subs="${
      childrenOf(commands, c.path).join(" ")
    }" ;;`
  );
  return `# velora completion for bash (velora completions bash)
_velora_words() {
  case "$1" in
${cases.join("\n")}
  esac
}
_velora() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" word i flags subs
  _velora_words ""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    [[ $word == -* ]] && continue
    case " $subs " in
      *" $word "*) path=\${path:+$path }$word && _velora_words "$path" ;;
    esac
  done
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
  elif [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  fi
}
complete -o default -F _velora velora
`;
}

function fishScript(commands: CompletionCommand[]): string {
  const quote = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  const lines = ["# velora completion for fish (velora completions fish)", "complete -c velora -f"];
  for (const c of commands) {
    const parent = c.path.slice(0, -1);
    const condition = parent.length === 0
      ? "__fish_use_subcommand"
      : `__fish_seen_subcommand_from ${parent.at(-1)}`;
    lines.push(
      `complete -c velora -n ${quote(condition)} -a ${c.path.at(-1)} -d ${quote(c.description)}`,
    );
    for (const flag of c.flags) {
      const option = flag.startsWith("--") ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      lines.push(
        `complete -c velora -n ${quote(`__fish_seen_subcommand_from ${c.path.at(-1)}`)} ${option}`,
      );
    }
  }
  lines.push("complete -c velora -n '__fish_use_subcommand' -l version -l help");
  return lines.join("\n") + "\n";
}
