#!/usr/bin/env bash
# Builds the Docker base image the tests use, when its tag is missing (`.ci/run` calls this).
# The work is done by scripts/build_base_image.sh (debootstrap + docker import, no registry);
# debootstrap is installed with apt-get when it is missing.
#
# Usage: tests/support/build_base_image.sh [--force]
#
# Environment:
#   VELORA_TEST_BASE_IMAGE  image tag to build (default: velora-test-base:bookworm)
#   VELORA_BASE_MIRROR, VELORA_BASE_SUITE: see scripts/build_base_image.sh
set -euo pipefail

case "${1:-}" in
  --force | "") ;;
  *)
    printf 'build_base_image: Unknown argument "%s" (usage: %s [--force])\n' "$1" "$0" >&2
    exit 1
    ;;
esac

exec bash "$(dirname "${BASH_SOURCE[0]}")/../../scripts/build_base_image.sh" \
  --install-debootstrap "$@" "${VELORA_TEST_BASE_IMAGE:-velora-test-base:bookworm}"
