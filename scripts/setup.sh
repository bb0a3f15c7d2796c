#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian/Ubuntu machine with Node (no Docker):
# pnpm, workspace dependencies, the PostgreSQL server, Chromium (the cli page's browser test), a
# JRE and Maven (system packages, when running as root), a build, and the Apache Kafka broker jars
# (Maven Central, cached in .cache/).
# Idempotent: a second run only checks.
#
# Environment: PG_URL / KAFKA_BROKERS / KAFKA_BROKERS_39 point the tests at existing services
# (then the matching prerequisites are not required); SKIP_SYSTEM_PACKAGES=1 never runs apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# Node >= 20.19
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js >= 20.19 is required (found $(node --version 2>/dev/null || echo none))"

PNPM_VERSION=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  say "installing pnpm@$PNPM_VERSION with npm"
  npm install -g --silent "pnpm@$PNPM_VERSION" >/dev/null || die "could not install pnpm with npm"
fi

# --- System prerequisites -------------------------------------------------------------------
have_pg() { ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; }
java_major() {
  # "17.0.15" / "21" / "1.8.0_392" -> 17 / 21 / 8
  java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' \
    | sed 's/^1\.//' | head -n1
}
have_java() { command -v java >/dev/null 2>&1 && [ "$(java_major || echo 0)" -ge 17 ] 2>/dev/null; }
need_kafka() { [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${KAFKA_BROKERS_39:-}" ]; }

missing=()
[ -n "${PG_URL:-}" ] || have_pg || missing+=(postgresql postgresql-contrib)
# The cli's page is tested in a real browser: playwright-core drives Debian's chromium (no download).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if need_kafka; then
  # Maven depends on a JRE; name one explicitly for when Maven is already there without Java 17+.
  have_java || missing+=(default-jre-headless)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "${SKIP_SYSTEM_PACKAGES:-}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages (apt-get): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  else
    die "missing system packages: ${missing[*]}. Install them (sudo apt-get install ${missing[*]}),
  or point the tests at existing services with PG_URL (wal_level=logical), KAFKA_BROKERS (Kafka 4.x)
  and KAFKA_BROKERS_39 (Kafka 3.9.x)."
  fi
fi
[ -n "${PG_URL:-}" ] || have_pg \
  || die "PostgreSQL server binaries (initdb, pg_ctl) still not found: install the 'postgresql' package"
if need_kafka; then
  have_java || die "Java 17+ is required to run the test Kafka brokers (found: $(java -version 2>&1 | head -n1 || echo none)); install openjdk-17-jre-headless or newer"
  command -v mvn >/dev/null 2>&1 || die "Maven ('mvn') is required to fetch the Kafka jars: install the 'maven' package"
fi

# --- Workspace --------------------------------------------------------------------------------
say "installing workspace dependencies"
pnpm install --frozen-lockfile --reporter=silent
say "building"
build_log=$(mktemp)
pnpm -s build >"$build_log" 2>&1 || { tail -n 80 "$build_log"; die "build failed (see above)"; }
rm -f "$build_log"
if need_kafka; then
  say "fetching Apache Kafka jars (Maven Central; cached in .cache/kafka)"
  node packages/testing/dist/cli.js fetch-kafka || die "could not fetch the Kafka jars (see above)"
fi
say "ready"
