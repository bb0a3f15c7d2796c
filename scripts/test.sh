#!/usr/bin/env bash
# The README's test command: installs what is missing, then runs the whole suite (unit and
# integration, against throwaway PostgreSQL and Kafka that the tests start themselves; set
# PG_URL / KAFKA_BROKERS / KAFKA_BROKERS_39 to use running services instead).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec pnpm test "$@"
