#!/usr/bin/env bash
# The README's main command: a multi-collection demo pipeline on local throwaway services.
# The testing package starts PostgreSQL and Kafka and runs the cli's `opencdc demo` against them
# (the published cli starts no services itself).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/testing/dist/cli.js demo "$@"
