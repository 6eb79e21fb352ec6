#!/usr/bin/env node
// Writes the API reference of every public package (TypeDoc + typedoc-plugin-markdown) to
// docs/api/, one folder per package, from the TSDoc comments of src/index.ts. Packages are found
// on disk, so a package added later is documented without editing this file. Needs the packages
// built first (their dependencies' types come from dist/): `pnpm docs:build` does that.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application } from 'typedoc';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'docs', 'api');

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => join(root, 'packages', entry.name))
  .filter((dir) => {
    const file = join(dir, 'package.json');
    if (!existsSync(file) || !existsSync(join(dir, 'src', 'index.ts'))) return false;
    return JSON.parse(readFileSync(file, 'utf8')).private !== true;
  })
  .sort();
if (packages.length === 0) throw new Error('tools/docs/api.mjs: no public package with src/index.ts under packages/');

rmSync(out, { recursive: true, force: true });
const app = await Application.bootstrapWithPlugins({
  plugin: ['typedoc-plugin-markdown'],
  entryPointStrategy: 'packages',
  entryPoints: packages.map((dir) => relative(root, dir)),
  packageOptions: {
    entryPoints: ['src/index.ts'],
    tsconfig: 'tsconfig.json',
    // Package READMEs link into the repository (../../docs/...); the site has its own pages.
    readme: 'none',
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
  },
  disableSources: true, // no public repository URL to link source lines to
  excludeScopesInPaths: true, // docs/api/core/, not docs/api/@decodekit/core/
  name: 'API reference',
  readme: 'none',
  out,
  entryFileName: 'index.md',
  hidePageHeader: true,
  hideBreadcrumbs: false,
  useCodeBlocks: true,
  parametersFormat: 'table',
  interfacePropertiesFormat: 'table',
  classPropertiesFormat: 'table',
  sanitizeComments: true,
  treatWarningsAsErrors: false,
  logLevel: 'Warn',
  validation: { notExported: false, invalidLink: true, rewrittenLink: true },
  skipErrorChecking: true,
});
const project = await app.convert();
if (!project) {
  console.error('tools/docs/api.mjs: TypeDoc could not convert the packages (see the errors above).');
  process.exit(1);
}
await app.generateOutputs(project);
console.log(`API reference of ${packages.length} packages written to ${relative(root, out)}/`);
