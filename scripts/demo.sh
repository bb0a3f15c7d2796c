#!/usr/bin/env bash
# The README's main command: a multi-collection demo pipeline on local throwaway services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node packages/cli/dist/bin.js demo "$@"
