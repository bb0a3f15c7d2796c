#!/usr/bin/env bash
# Release: build, test against the BUILT output (packed-package checks and an import smoke test
# of every dist), then `changeset publish` (publishes each package whose version is not yet on
# the registry; independent versions). Run after `pnpm changeset version` has bumped versions.
# The registry comes from the environment/.npmrc (npm_config_registry), so a local verdaccio
# works the same as npmjs.
set -euo pipefail
cd "$(dirname "$0")/.."
pnpm -s build
pnpm -s check:packages
node scripts/smoke-dist.mjs
pnpm changeset publish
