// Build-time data for docs/methods/index.md: every method page with its title and package line.
import { createContentLoader } from 'vitepress';

export interface MethodPage {
  url: string;
  title: string;
  summary: string;
  verifier: boolean;
}

export declare const data: MethodPage[];

export default createContentLoader('methods/*.md', {
  includeSrc: true,
  transform(raw): MethodPage[] {
    return raw
      .filter((page) => !page.url.endsWith('/methods/'))
      .map((page) => {
        const src = page.src ?? '';
        const title = (src.match(/^# (.+)$/m)?.[1] ?? page.url).replaceAll('`', '').trim();
        // The "**Package:** ..." line most pages start with, without Markdown marks.
        const meta = src.match(/^\*\*Package:\*\*(.+)$/m)?.[1] ?? '';
        const summary = meta
          .replaceAll(/\*\*|`/g, '')
          .replace(/^\s*/, '')
          .trim();
        return { url: page.url, title, summary, verifier: page.url.includes('/verification-') };
      })
      .sort((a, b) => a.title.localeCompare(b.title));
  },
});
