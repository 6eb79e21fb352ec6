#!/usr/bin/env node
// Trade-off chart of the VAR/CoDe image bench: median per-image speedup vs VAR-large (x) against Fréchet distance and
// class accuracy (two panels), one point per method. Writes an SVG; convert with `rsvg-convert -o X.png X.svg`.
// Usage: node packages/visual-ar/bench/var-chart.mjs docs/benchmarks/images-var.json docs/benchmarks/var-tradeoff.svg
import { readFile, writeFile } from 'node:fs/promises';

const [input, output] = process.argv.slice(2);
const report = JSON.parse(await readFile(input, 'utf8'));
const points = Object.entries(report.results).map(([name, r]) => ({
  name,
  x: r.speedupVsVarLarge?.median ?? 1,
  fd: r.frechetDistance,
  acc: r.classAccuracy,
}));
const colour = (n) => (n.startsWith('code@') ? '#d9480f' : n.startsWith('var-') ? '#1c7ed6' : '#868e96');
const W = 560;
const H = 340;
const pad = { l: 64, r: 16, t: 36, b: 48 };
const esc = (s) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');

function panel(ox, key, label, fmt) {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p[key]);
  const x0 = 0;
  const x1 = Math.max(...xs) * 1.12;
  const y0 = Math.min(0, Math.min(...ys));
  const y1 = Math.max(...ys) * 1.12;
  const sx = (x) => ox + pad.l + ((x - x0) / (x1 - x0)) * (W - pad.l - pad.r);
  const sy = (y) => pad.t + (1 - (y - y0) / (y1 - y0)) * (H - pad.t - pad.b);
  const out = [];
  out.push(`<rect x="${ox}" y="0" width="${W}" height="${H}" fill="white"/>`);
  out.push(
    `<text x="${ox + W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(label)} vs speed</text>`,
  );
  for (let k = 0; k <= 5; k++) {
    const xv = x0 + ((x1 - x0) * k) / 5;
    const yv = y0 + ((y1 - y0) * k) / 5;
    out.push(`<line x1="${sx(xv)}" y1="${sy(y0)}" x2="${sx(xv)}" y2="${sy(y1)}" stroke="#eee"/>`);
    out.push(`<line x1="${sx(x0)}" y1="${sy(yv)}" x2="${sx(x1)}" y2="${sy(yv)}" stroke="#eee"/>`);
    out.push(`<text x="${sx(xv)}" y="${H - pad.b + 16}" text-anchor="middle" font-size="11">${xv.toFixed(1)}×</text>`);
    out.push(`<text x="${ox + pad.l - 6}" y="${sy(yv) + 4}" text-anchor="end" font-size="11">${fmt(yv)}</text>`);
  }
  out.push(`<line x1="${sx(1)}" y1="${sy(y0)}" x2="${sx(1)}" y2="${sy(y1)}" stroke="#1c7ed6" stroke-dasharray="4 3"/>`);
  out.push(
    `<text x="${ox + W / 2}" y="${H - 10}" text-anchor="middle" font-size="12">speedup vs VAR-large (median per image)</text>`,
  );
  out.push(
    `<text transform="translate(${ox + 14} ${H / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(label)}</text>`,
  );
  // Each label takes the first of eight places around its point that overlaps no point and no label placed before
  // (the CoDe splits sit close together).
  const boxes = points.map((p) => ({ x0: sx(p.x) - 5, x1: sx(p.x) + 5, y0: sy(p[key]) - 5, y1: sy(p[key]) + 5 }));
  const overlaps = (b) => boxes.some((o) => b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1);
  for (const p of [...points].sort((a, b) => a.x - b.x)) {
    out.push(`<circle cx="${sx(p.x)}" cy="${sy(p[key])}" r="4.5" fill="${colour(p.name)}"/>`);
    const w = 6.4 * p.name.length;
    const cx = sx(p.x);
    const cy = sy(p[key]);
    const places = [
      [6, -7],
      [6, 15],
      [-6 - w, -7],
      [-6 - w, 15],
      [6, -20],
      [6, 28],
      [-w / 2, -12],
      [-w / 2, 22],
    ].map(([dx, dy]) => ({ x0: cx + dx, x1: cx + dx + w, y0: cy + dy - 10, y1: cy + dy + 2 }));
    const box = places.find((b) => !overlaps(b)) ?? places[0];
    boxes.push(box);
    out.push(`<text x="${box.x0}" y="${box.y1 - 2}" font-size="11">${esc(p.name)}</text>`);
  }
  return out.join('\n');
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H}" font-family="sans-serif">
${panel(0, 'fd', 'Fréchet distance (lower is better)', (v) => v.toFixed(0))}
${panel(W, 'acc', 'class accuracy (higher is better)', (v) => v.toFixed(2))}
</svg>
`;
await writeFile(output, svg);
