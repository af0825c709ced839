/**
 * velora's port of OpenHands' multi-command rule (runtime-server/bash_split.ts) against the real
 * thing: OpenHands 0.62's `split_bash_commands` (bashlex 0.18) in the peer environment splits a
 * corpus of 2,550 commands (tests/peer/bash_split_corpus.py: hand-picked cases and seeded random
 * ones), and the port must answer the same for every one: the same pieces, or the same escaping
 * exception text.
 *
 * @module
 */
import assert from "node:assert/strict";
import { splitBashCommands } from "../../runtime-server/bash_split.ts";
import { peerPython, skipPeer } from "./_venv.ts";

const CORPUS = await Deno.readTextFile(new URL("./bash_split_corpus.py", import.meta.url));

type PeerResult = string[] | { raise: string; message: string };

/** The port's answer in the corpus's shape: the split, or the text of what escapes it. */
function port(command: string): PeerResult {
  try {
    return splitBashCommands(command);
  } catch (error) {
    return { raise: "escaped", message: (error as Error).message };
  }
}

Deno.test({
  name:
    "peer: the multi-command split agrees with OpenHands' split_bash_commands on 2,550 commands",
  ignore: await skipPeer(),
  async fn() {
    const { cases, results } = JSON.parse(await peerPython(CORPUS)) as {
      cases: string[];
      results: PeerResult[];
    };
    assert.ok(cases.length >= 2500, `${cases.length} cases`);
    assert.ok(results.filter((r) => Array.isArray(r) && r.length > 1).length > 400);
    const differ: string[] = [];
    cases.forEach((command, i) => {
      const expected = results[i]!;
      const actual = port(command);
      const same = Array.isArray(expected)
        ? JSON.stringify(actual) === JSON.stringify(expected)
        : !Array.isArray(actual) && actual.message === expected.message;
      if (!same) {
        differ.push(
          `${JSON.stringify(command)}\n  OpenHands: ${JSON.stringify(expected)}\n` +
            `  velora:    ${JSON.stringify(actual)}`,
        );
      }
    });
    assert.deepEqual(differ, [], `${differ.length} of ${cases.length} differ`);
  },
});
