import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderCharts } from './charts.js';
import { renderMarkdownReport } from './markdown-report.js';
import { svgToPng } from './png.js';
import type { BenchmarkResults } from './run-benchmark.js';

/** The files `writeBenchmarkReport` wrote (absolute or as joined from `directory`). */
export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly charts: readonly string[];
  /** Why PNGs are missing, when the rasteriser could not load; the SVGs are always written. */
  readonly pngError?: string;
}

/**
 * Writes `results.json`, `results.md` and the charts (`speedup`, `tau-vs-speedup`,
 * `acceptance-by-position`, each as `.svg` and `.png`) into `directory`, creating it.
 */
export async function writeBenchmarkReport(
  results: BenchmarkResults,
  directory: string,
  options: { readonly command?: string } = {},
): Promise<WrittenReport> {
  await mkdir(directory, { recursive: true });
  const json = join(directory, 'results.json');
  const markdown = join(directory, 'results.md');
  await writeFile(json, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(markdown, renderMarkdownReport(results, options));
  const charts = renderCharts(results);
  const files: string[] = [];
  let pngError: string | undefined;
  const stems = {
    speedup: charts.speedup,
    'tau-vs-speedup': charts.tauVersusSpeedup,
    'acceptance-by-position': charts.acceptanceByPosition,
  };
  for (const [stem, svg] of Object.entries(stems)) {
    const svgPath = join(directory, `${stem}.svg`);
    await writeFile(svgPath, `${svg}\n`);
    files.push(svgPath);
    if (pngError) continue;
    try {
      const pngPath = join(directory, `${stem}.png`);
      await writeFile(pngPath, await svgToPng(svg));
      files.push(pngPath);
    } catch (error) {
      pngError = String((error as Error)?.message ?? error).split('\n')[0];
    }
  }
  return { json, markdown, charts: files, ...(pngError ? { pngError } : {}) };
}
