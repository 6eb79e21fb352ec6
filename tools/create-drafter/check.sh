#!/usr/bin/env bash
# Proves the template works: generate a drafter package, lint it, run its generated conformance
# test unchanged, then remove it again. Used by .ci/run on a throwaway clone.
set -euo pipefail
cd "$(dirname "$0")/../.."
name=template-check
dir=packages/drafter-$name
trap 'rm -rf "$dir"; git checkout --quiet -- pnpm-lock.yaml 2>/dev/null || true; pnpm install --frozen-lockfile --prefer-offline >/dev/null 2>&1 || true' EXIT
node tools/create-drafter/index.mjs "$name"
pnpm install --no-frozen-lockfile --prefer-offline >/dev/null
pnpm exec biome check "$dir"
pnpm turbo run typecheck test --filter "@decodekit/drafter-$name"
