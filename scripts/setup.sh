#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian machine with Node and a JDK:
# pnpm, workspace dependencies, the PostgreSQL server (system package), a build, and the
# Apache Kafka jars (Maven). Idempotent: a second run only checks.
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

# PostgreSQL server binaries (initdb, pg_ctl) from the system package manager.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing the postgresql package (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  else
    die "PostgreSQL server binaries not found: install the 'postgresql' package (sudo apt-get install postgresql)"
  fi
fi
command -v java >/dev/null 2>&1 || die "Java (JDK 17+) not found: install a JDK (apt-get install openjdk-17-jdk-headless)"
command -v mvn >/dev/null 2>&1 || {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >/dev/null
  else
    die "Maven not found: install the 'maven' package"
  fi
}

say "installing workspace dependencies"
pnpm install --frozen-lockfile --reporter=silent
say "building"
pnpm -s build >/dev/null
if [ -f packages/testing/dist/cli.js ]; then
  say "fetching Apache Kafka jars (Maven; cached)"
  node packages/testing/dist/cli.js fetch-kafka
fi
say "ready"
