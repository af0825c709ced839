#!/usr/bin/env bash
# Creates the virtual environment of the reference packages the peer tests (tests/peer/) run:
# multi-swe-bench 1.1.2 (--no-deps, plus the few modules it imports) and openhands-ai 0.62.0.
# openhands-ai 0.62.0 needs Python >= 3.12 (one of its dependencies refuses 3.11 at build time),
# so the interpreter is the first of $VELORA_PEER_PYTHON_BIN, python3.12, python3.13 (on PATH or
# under pyenv) that exists. Reuses the environment when its stamp matches.
#
# Usage: scripts/peer_venv.sh [<dir>]   (default: ~/.cache/velora/peer-venv, kept between clones)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
readonly DIR="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/velora/peer-venv}"
readonly PACKAGES="multi-swe-bench==1.1.2 openhands-ai==0.62.0"
# Modules multi_swe_bench imports at module level that its --no-deps install leaves out.
readonly MSB_DEPS="dataclasses-json unidiff gitpython toml pyyaml tqdm"
readonly STAMP="$DIR/.velora-stamp"

log() { printf 'peer_venv: %s\n' "$*" >&2; }

if [[ -f $STAMP && "$(cat "$STAMP")" == "$PACKAGES $MSB_DEPS" ]]; then
  log "reusing $DIR"
  exit 0
fi

python=""
for candidate in "${VELORA_PEER_PYTHON_BIN:-}" python3.12 python3.13 \
  "$HOME"/.pyenv/versions/3.12*/bin/python3.12 "$HOME"/.pyenv/versions/3.13*/bin/python3.13; do
  [[ -n $candidate ]] || continue
  if [[ -x $candidate ]] || command -v "$candidate" >/dev/null 2>&1; then
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      python="$candidate"
      break
    fi
  fi
done
[[ -n $python ]] || {
  log "no Python >= 3.12 found (openhands-ai 0.62.0 needs it); set VELORA_PEER_PYTHON_BIN"
  exit 1
}

log "creating $DIR with $("$python" --version) ($python)"
rm -rf "$DIR"
mkdir -p "$(dirname "$DIR")"
"$python" -m venv "$DIR"
"$DIR/bin/pip" install --quiet --disable-pip-version-check --no-deps multi-swe-bench==1.1.2
# shellcheck disable=SC2086 # word splitting wanted
"$DIR/bin/pip" install --quiet --disable-pip-version-check $MSB_DEPS openhands-ai==0.62.0
printf '%s\n' "$PACKAGES $MSB_DEPS" >"$STAMP"
log "ready: $DIR/bin/python"
