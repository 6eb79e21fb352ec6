#!/usr/bin/env node
// `pnpm create-drafter <name>`: scaffolds packages/drafter-<name>, a drafter package whose generated
// test runs the drafter conformance suite of @decodekit/testing and passes as generated.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const [name, ...rest] = process.argv.slice(2);

if (!name || rest.length > 0 || name === '--help' || name === '-h') {
  console.log('Usage: pnpm create-drafter <name>\n\n  <name>  kebab-case method name, e.g. "bigram-cache"\n');
  console.log('Creates packages/drafter-<name>/ with a working example drafter and its conformance test.');
  process.exit(name ? 0 : 2);
}
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  console.error(`create-drafter: "${name}" is not a kebab-case name (lowercase letters, digits and single dashes).`);
  process.exit(2);
}
const target = join(root, 'packages', `drafter-${name}`);
if (existsSync(target)) {
  console.error(`create-drafter: ${target} already exists; pick another name or delete it first.`);
  process.exit(1);
}

const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const factory = `${camel}Drafter`;
const templateDir = join(here, 'template');
const files = [
  'package.json',
  'README.md',
  'tsconfig.json',
  'tsdown.config.ts',
  'vitest.config.ts',
  'src/index.ts',
  'test/conformance.test.ts',
];
for (const file of files) {
  const text = readFileSync(join(templateDir, `${file}.tpl`), 'utf8')
    .replaceAll('__NAME__', name)
    .replaceAll('__FACTORY__', factory);
  const out = join(target, file);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}
console.log(`Created packages/drafter-${name} (factory ${factory}()).

Next:
  pnpm install
  pnpm turbo run test --filter @decodekit/drafter-${name}

Then replace the example in src/index.ts with your method; the conformance test keeps it honest.`);
