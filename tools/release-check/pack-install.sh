#!/usr/bin/env bash
# Release check from npm's side: pack every public package with `pnpm pack` (which rewrites
# `workspace:^` to real version ranges, as `pnpm publish` does), install the tarballs with plain
# npm into a fresh project outside the workspace (no workspace links, no pnpm), and run a plain
# and a speculative generation from a tiny .mjs script there.
#
# Needs the packages built (`pnpm build`). Uses npm's cache first (--prefer-offline); third-party
# dependencies (onnxruntime-node, @huggingface/*) come from the cache or the registry.
# Usage: bash tools/release-check/pack-install.sh [--keep]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
keep=${1:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/decodekit-pack-install.XXXXXX")
if [ "$keep" != "--keep" ]; then trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/tarballs" "$work/app"

# Every public package (no "private": true), in packages/*.
mapfile -t dirs < <(node -e '
  const fs = require("node:fs");
  for (const name of fs.readdirSync("packages").sort()) {
    const file = `packages/${name}/package.json`;
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!pkg.private) console.log(`packages/${name}`);
  }')
echo "== packing ${#dirs[@]} public packages"
for dir in "${dirs[@]}"; do
  # Every file the exports map points at must exist, or the tarball would install broken.
  node -e '
    const { existsSync, readFileSync } = require("node:fs");
    const dir = process.argv[1];
    const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
    const files = [];
    const walk = (value) => (typeof value === "string" ? files.push(value) : Object.values(value ?? {}).forEach(walk));
    walk(pkg.exports);
    const missing = files.filter((file) => !existsSync(`${dir}/${file}`));
    if (missing.length) {
      console.error(`pack-install: ${dir} lacks ${missing.join(", ")}: run "pnpm build" first`);
      process.exit(1);
    }' "$dir"
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
ls -1 "$work/tarballs" | sed 's/^/   /'

# No tarball may still say workspace: (pnpm pack must have replaced every such range).
for tgz in "$work/tarballs"/*.tgz; do
  if tar -xOzf "$tgz" package/package.json | grep -q '"workspace:'; then
    echo "pack-install: $(basename "$tgz") still has a workspace: range in package.json" >&2
    exit 1
  fi
done

cd "$work/app"
cat > package.json <<'JSON'
{ "name": "decodekit-release-check", "version": "1.0.0", "private": true, "type": "module" }
JSON
# What a user types (README, getting started), with the tarballs instead of registry names: every
# @decodekit dependency between the tarballs is satisfied by the tarballs themselves.
echo "== npm install (ONNXRUNTIME_NODE_INSTALL=skip, --prefer-offline) in $work/app"
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefer-offline --no-audit --no-fund --loglevel=error \
  "$work"/tarballs/*.tgz onnxruntime-node@1.30.0

# Installed from the tarballs, not linked to the workspace.
for pkg in node_modules/@decodekit/*; do
  if [ -L "$pkg" ]; then echo "pack-install: $pkg is a link, not an installed package" >&2; exit 1; fi
done

cat > check.mjs <<'JS'
import { generate, speculative } from '@decodekit/core';
import { promptLookup } from '@decodekit/drafter-ngram';
import { tinyLm } from '@decodekit/models-tiny';
import { loadModel } from '@decodekit/runtime-onnx';
import { loadTokenizer } from '@decodekit/tokenizer';
import { defaultVerifier } from '@decodekit/verifiers';

const model = await loadModel(tinyLm);
const tokenizer = await loadTokenizer(tinyLm);
const prompt = 'def fibonacci(n):';
const plain = await generate({ model, tokenizer, prompt, maxNewTokens: 32 });
const fast = await generate({
  model,
  tokenizer,
  prompt,
  maxNewTokens: 32,
  strategy: speculative({ drafter: promptLookup(), verifier: defaultVerifier() }),
});
await model.dispose();
console.log(`plain: ${plain.stats.newTokens} tokens, ${plain.stats.targetForwards} forwards: ${JSON.stringify(plain.text)}`);
console.log(`pld:   ${fast.stats.newTokens} tokens, ${fast.stats.targetForwards} forwards, tau ${fast.stats.tau.toFixed(2)}`);
if (!plain.text || plain.stats.newTokens !== 32) throw new Error('the plain generation produced no text');
if (fast.text !== plain.text) throw new Error('speculative greedy output differs from autoregressive output');
if (!(fast.stats.targetForwards < plain.stats.targetForwards)) throw new Error('PLD saved no target forward');
JS
echo "== node check.mjs (outside the workspace: $(node -p 'require.resolve.paths("x")[0]'))"
node check.mjs

# The self-contained snippets of the README and the getting-started page run as written.
node -e '
  const fs = require("node:fs");
  const first = (file) => fs.readFileSync(file, "utf8").match(/```js\n([\s\S]*?)```/)[1];
  fs.writeFileSync("readme.mjs", first(process.argv[1]));
  fs.writeFileSync("getting-started.mjs", first(process.argv[2]));
' "$root/README.md" "$root/docs/getting-started.md"
echo "== README snippet";          node readme.mjs >/dev/null
echo "== getting-started snippet"; node getting-started.mjs | tail -2

# The CLI's bin works from the installed tarball too.
npx --no-install decodekit generate --quiet -n 8 'def main():' >/dev/null
echo "== pack-install: ok (${#dirs[@]} tarballs installed with npm; plain and PLD generation ran)"
