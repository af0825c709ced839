#!/usr/bin/env bash
# Prints the demo's base image (pipelines/demo.toml, data/demo/Dockerfile), making sure it exists.
# The first of these wins:
#
#   1. $VELORA_DEMO_BASE_IMAGE, when set (any image with python3, git and pytest; used as is);
#   2. python:3.12-slim, when this engine has it;
#   3. velora-demo-base:bookworm, when this engine has it (an earlier run built it; no pull);
#   4. python:3.12-slim pulled, waiting at most $VELORA_DEMO_PULL_TIMEOUT seconds;
#   5. velora-demo-base:bookworm built with debootstrap from Debian's packages
#      (scripts/build_base_image.sh: needs root and debootstrap, no image registry).
#
# The image name goes to stdout; what was chosen, and the build's progress, to stderr.
#
# Environment (besides VELORA_DEMO_BASE_IMAGE; the tests set these):
#   VELORA_DEMO_PULL_IMAGE    the image used when present or pullable (default: python:3.12-slim)
#   VELORA_DEMO_BUILD_TAG     the image built otherwise (default: velora-demo-base:bookworm)
#   VELORA_DEMO_PULL_TIMEOUT  seconds to wait for `docker pull` (default: 180)
#   VELORA_DEMO_BASE_BUILDER  a bash command that builds the tag given as $1, run instead of
#                             scripts/build_base_image.sh (no root or debootstrap checks then)
set -euo pipefail

readonly PULL="${VELORA_DEMO_PULL_IMAGE:-python:3.12-slim}"
readonly BUILD="${VELORA_DEMO_BUILD_TAG:-velora-demo-base:bookworm}"
readonly PULL_TIMEOUT="${VELORA_DEMO_PULL_TIMEOUT:-180}"
readonly BUILDER="${VELORA_DEMO_BASE_BUILDER:-}"
readonly HINT="or set VELORA_DEMO_BASE_IMAGE to an image with python3, git and pytest"

log() { printf 'demo base image: %s\n' "$*" >&2; }
die() {
  log "$*"
  exit 1
}
use() {
  log "using \"$1\" ($2)"
  printf '%s\n' "$1"
  exit 0
}
exists() { docker image inspect "$1" >/dev/null 2>&1; }

[[ -z ${VELORA_DEMO_BASE_IMAGE:-} ]] || use "$VELORA_DEMO_BASE_IMAGE" "VELORA_DEMO_BASE_IMAGE"
[[ $PULL_TIMEOUT =~ ^[1-9][0-9]*$ ]] ||
  die "VELORA_DEMO_PULL_TIMEOUT is \"$PULL_TIMEOUT\": expected a number of seconds"
docker info >/dev/null 2>&1 ||
  die "No Docker engine answers (DOCKER_HOST=\"${DOCKER_HOST:-}\")"

! exists "$PULL" || use "$PULL" "present"
! exists "$BUILD" || use "$BUILD" "built by an earlier run"

log "pulling \"$PULL\" (waiting at most $PULL_TIMEOUT s)"
start=$SECONDS
if out="$(timeout "$PULL_TIMEOUT" docker pull -q "$PULL" 2>&1)"; then
  use "$PULL" "pulled in $((SECONDS - start)) s"
elif [[ $? -eq 124 ]]; then
  reason="no image after $PULL_TIMEOUT s"
else
  reason="$(tail -n 1 <<<"$out")"
  reason="${reason#Error response from daemon: }"
fi

if [[ -z $BUILDER ]]; then
  todo=()
  command -v debootstrap >/dev/null || todo+=("install debootstrap (apt-get install debootstrap)")
  [[ $(id -u) -eq 0 ]] || todo+=("run as root")
  if [[ ${#todo[@]} -gt 0 ]]; then
    todo_text="${todo[0]}${todo[1]:+ and ${todo[1]}}"
    die "cannot pull \"$PULL\" ($reason), and building \"$BUILD\" needs debootstrap as root:" \
      "$todo_text, $HINT"
  fi
fi

log "cannot pull \"$PULL\" ($reason); building \"$BUILD\" with debootstrap from Debian's" \
  "packages instead (once: later runs reuse it)"
if [[ -n $BUILDER ]]; then
  bash -c "$BUILDER" build_base_image "$BUILD" >&2 || die "The builder failed ($HINT)"
else
  bash "$(dirname "${BASH_SOURCE[0]}")/build_base_image.sh" "$BUILD" >&2 ||
    die "Building \"$BUILD\" failed ($HINT)"
fi
exists "$BUILD" || die "The builder exited 0 but \"$BUILD\" does not exist"
use "$BUILD" "built"
