import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DefaultTheme, defineConfig } from 'vitepress';

// The sidebar is built from the files on disk when the site builds, so a new page under
// docs/methods/ or a new package's API pages appear without editing this file.
const docs = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The page's first `# ` heading, without inline code marks; the file name when there is none. */
function titleOf(file: string): string {
  const heading = readFileSync(file, 'utf8').match(/^# (.+)$/m)?.[1];
  return heading ? heading.replaceAll('`', '').trim() : basename(file, '.md');
}

function pagesIn(dir: string): DefaultTheme.SidebarItem[] {
  const abs = join(docs, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((name) => name.endsWith('.md') && name !== 'index.md')
    .map((name) => ({ text: titleOf(join(abs, name)), link: `/${dir}/${name.slice(0, -3)}` }))
    .sort((a, b) => a.text.localeCompare(b.text));
}

const methodPages = pagesIn('methods');
const isVerifier = (item: DefaultTheme.SidebarItem) => item.link?.includes('/verification-') ?? false;

/** API pages written by tools/docs/api.mjs (TypeDoc): one folder per package. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const api = join(docs, 'api');
  if (!existsSync(api)) return [];
  return readdirSync(api, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(api, entry.name, 'index.md')))
    .map((entry) => ({ text: `@decodekit/${entry.name}`, link: `/api/${entry.name}/` }))
    .sort((a, b) => a.text.localeCompare(b.text));
}

const listed = new Set([
  'getting-started',
  'concepts',
  'samplers',
  'cli',
  'examples',
  'benchmarks',
  'troubleshooting',
  'onnx-layout',
  'export-your-model',
  'runtime-onnx',
  'onnx-extensions-runtime',
  'tokenizer',
  'testing',
]);

/** Top-level pages not placed in a group above (a package's guide added later, for instance). */
function otherPages(): DefaultTheme.SidebarItem[] {
  const items = readdirSync(docs)
    .filter((name) => name.endsWith('.md') && name !== 'index.md' && !listed.has(name.slice(0, -3)))
    .map((name) => ({ text: titleOf(join(docs, name)), link: `/${name.slice(0, -3)}` }))
    .sort((a, b) => a.text.localeCompare(b.text));
  return items.length > 0 ? [{ text: 'More guides', items }] : [];
}

const guide: DefaultTheme.SidebarItem[] = [
  {
    text: 'Guide',
    items: [
      { text: 'Getting started', link: '/getting-started' },
      { text: 'Concepts: the decode loop', link: '/concepts' },
      { text: 'Samplers and strategies', link: '/samplers' },
      { text: 'Command line', link: '/cli' },
      { text: 'Examples', link: '/examples' },
      { text: 'Benchmarks', link: '/benchmarks' },
      { text: 'Troubleshooting', link: '/troubleshooting' },
    ],
  },
  {
    text: 'Models and runtime',
    items: [
      { text: 'ONNX layout', link: '/onnx-layout' },
      { text: 'Export your own model', link: '/export-your-model' },
      { text: 'Runtime (onnxruntime-node)', link: '/runtime-onnx' },
      { text: 'Runtime extension graphs', link: '/onnx-extensions-runtime' },
      { text: 'Tokenizer', link: '/tokenizer' },
      { text: 'Testing and conformance', link: '/testing' },
    ],
  },
  ...otherPages(),
  { text: 'Methods', link: '/methods/', items: methodPages.filter((item) => !isVerifier(item)), collapsed: false },
  { text: 'Verifiers', items: methodPages.filter(isVerifier), collapsed: true },
];

/**
 * Plain links from a page to a file that is not a page (`[results](benchmarks/results.json)`,
 * `[script](../packages/x/bench/run.mjs)`) are not checked by VitePress and not copied to the
 * site. Copy each one to the URL the browser resolves the link to, and fail the build when the
 * file does not exist in the repository (a dead link).
 */
function copyLinkedFiles(outDir: string): void {
  const repository = resolve(docs, '..');
  const dead: string[] = [];
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') return [];
      const path = join(dir, entry.name);
      return entry.isDirectory() ? walk(path) : entry.name.endsWith('.md') ? [path] : [];
    });
  for (const page of walk(docs)) {
    const text = readFileSync(page, 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/(?<!!)\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const path = target.split('#')[0];
      if (
        !path ||
        /^[a-z]+:/i.test(path) ||
        path.startsWith('/') ||
        /\.(md|html)$/.test(path) ||
        !/\.[a-z0-9]+$/i.test(path)
      )
        continue;
      const source = resolve(dirname(page), path);
      if (!existsSync(source) || !source.startsWith(repository)) {
        dead.push(`${relative(docs, page)}: ${target}`);
        continue;
      }
      // Where the browser goes: the link resolved against the page's URL (never above the root).
      const pageDir = relative(docs, dirname(page)).split(sep).join('/');
      const url = new URL(path, `http://site/${pageDir ? `${pageDir}/` : ''}`).pathname;
      const destination = join(outDir, decodeURIComponent(url));
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(source, destination);
    }
  }
  if (dead.length > 0) throw new Error(`dead links to files:\n  ${dead.join('\n  ')}`);
}

export default defineConfig({
  title: 'decodekit',
  description: 'Fast, exact, composable decoding for language models in Node.js',
  // Everything is local: no fonts, analytics or search service from the network.
  cleanUrls: true,
  lastUpdated: false,
  cacheDir: '../node_modules/.cache/vitepress',
  srcExclude: ['**/README.md'],
  // Dead links fail the build (VitePress's default): keep it that way.
  ignoreDeadLinks: false,
  markdown: { math: false },
  buildEnd(site) {
    copyLinkedFiles(site.outDir);
  },
  themeConfig: {
    nav: [
      { text: 'Guide', link: '/getting-started' },
      { text: 'Methods', link: '/methods/' },
      { text: 'API', link: '/api/' },
      { text: 'Benchmarks', link: '/benchmarks' },
    ],
    sidebar: {
      '/api/': [{ text: 'API reference', link: '/api/', items: apiSidebar() }, ...guide],
      '/': guide,
    },
    search: { provider: 'local' },
    outline: { level: [2, 3] },
  },
});
