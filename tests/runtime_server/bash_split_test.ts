import assert from "node:assert/strict";
import { multipleCommandsMessage, splitBashCommands } from "../../runtime-server/bash_split.ts";

// Expected answers are OpenHands 0.62's split_bash_commands (bashlex 0.18); the peer test
// tests/peer/bash_split_peer_test.ts checks thousands more against it.
const CASES: [string, string[]][] = [
  ["echo a", ["echo a"]],
  ["echo a\necho b", ["echo a", "echo b"]],
  ["echo a\n\necho b", ["echo a", "echo b"]],
  ["echo a && echo b; echo c", ["echo a && echo b; echo c"]],
  ["echo a &&\necho b", ["echo a &&\necho b"]],
  ["echo a | \ngrep a", ["echo a | \ngrep a"]],
  ["# c\necho a", ["# c", "echo a"]],
  ["echo a # c\necho b", ["echo a # c", "echo b"]],
  ["echo a\n# trailing comment", ["echo a\n# trailing comment"]],
  ["cat <<EOF\nhi\nEOF\necho b", ["cat <<EOF\nhi\nEOF", "echo b"]],
  ["cat <<'EOF'\nx\nEOF\nls", ["cat <<'EOF'\nx\nEOF\nls"]], // quoted delimiter: bashlex fails
  ["for i in 1 2; do\necho $i\ndone\necho end", ["for i in 1 2; do\necho $i\ndone", "echo end"]],
  ["if true; then\necho a\nfi", ["if true; then\necho a\nfi"]],
  ['echo "a\nb"\necho c', ['echo "a\nb"', "echo c"]],
  ["echo $((1+2))\necho b", ["echo $((1+2))\necho b"]], // arithmetic: not implemented in bashlex
  ["[[ -f x ]]\necho b", ["[[ -f x ]]\necho b"]],
  ["case x in a) echo;; esac\necho b", ["case x in a) echo;; esac\necho b"]],
  ["echo 'open\necho b", ["echo 'open\necho b"]],
  ["echo $(a && b)\nls", ["echo $(a && b)\nls"]], // bashlex rejects && inside $(...)
  ["echo $(a; b)\nls", ["echo $(a; b)", "ls"]],
  ["f() { echo; }\nf", ["f() { echo; }", "f"]],
  ["echo a &\necho b", ["echo a &", "echo b"]],
  ["echo a\\\necho b", ["echo a\\\necho b"]],
  ["C-c", ["C-c"]],
  ["   ", [""]],
];

Deno.test("splitBashCommands splits top-level commands as OpenHands' bashlex does", () => {
  for (const [command, expected] of CASES) {
    assert.deepEqual(splitBashCommands(command), expected, JSON.stringify(command));
  }
});

Deno.test("what escapes bashlex escapes the split too (OpenHands answers its text)", () => {
  // bashlex asserts a while condition is a list: one command ended by a newline is not
  assert.throws(() => splitBashCommands("while false\ndo :; done"), /^Error: token = \{while\}$/);
  assert.throws(
    () => splitBashCommands("x=$(<<-EOF;&\n cat\n\r\n)"),
    /string index out of range/,
  );
});

Deno.test("multipleCommandsMessage is OpenHands' refusal", () => {
  assert.equal(
    multipleCommandsMessage(["echo a", "echo b"]),
    "ERROR: Cannot execute multiple commands at once.\n" +
      "Please run each command separately OR chain them into a single command via && or ;\n" +
      "Provided commands:\n(1) echo a\n(2) echo b",
  );
});
