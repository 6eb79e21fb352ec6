import { describe, expect, it } from 'vitest';
import { svgToPng } from '../src/png.js';
import { escapeXml, groupedBarChart, lineChart, niceTicks, scatterChart } from '../src/svg.js';

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('svg charts', () => {
  it('picks round tick steps that cover the range', () => {
    expect(niceTicks(0, 2.3)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    const ticks = niceTicks(0, 137);
    expect(ticks[0]).toBe(0);
    expect(ticks[ticks.length - 1]).toBeGreaterThanOrEqual(137);
    const steps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(new Set(steps.map((s) => s.toFixed(6))).size).toBe(1);
  });

  it('escapes markup in labels', () => {
    expect(escapeXml(`a<b & "c"`)).toBe('a&lt;b &amp; &quot;c&quot;');
    const svg = groupedBarChart({
      title: 'x < y',
      yLabel: 'y',
      groups: ['<script>'],
      series: ['s'],
      values: [[{ value: 1 }]],
    });
    expect(svg).not.toContain('<script>');
  });

  it('draws one bar per defined value, a whisker per spread and the reference line', () => {
    const svg = groupedBarChart({
      title: 'speedup',
      yLabel: 'speedup',
      groups: ['pld', 'sps', 'lookahead'],
      series: ['code', 'prose'],
      values: [
        [{ value: 1.5, low: 1.4, high: 1.6 }, { value: 2 }, undefined],
        [{ value: 0.9, low: 0.8, high: 1 }, { value: 1.1 }, { value: 1.2 }],
      ],
      referenceLine: { value: 1, label: 'AR' },
    });
    // 5 bars plus the background rect and 2 legend swatches.
    expect(count(svg, /<rect /g)).toBe(1 + 5 + 2);
    expect(count(svg, /<path d=/g)).toBe(2);
    expect(svg).toContain('stroke-dasharray');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('draws scatter points and line series', () => {
    const scatter = scatterChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: ['a', 'b'],
      points: [
        { x: 1, y: 1, label: 'p', series: 0 },
        { x: 2, y: 1.5, label: 'q', series: 1 },
      ],
      diagonal: 'y = x',
    });
    expect(count(scatter, /<circle /g)).toBe(2);
    const lines = lineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      xValues: ['1', '2', '3'],
      series: ['a', 'b'],
      values: [
        [0.9, 0.5, 0.2],
        [0.7, undefined, undefined],
      ],
      yMax: 1,
    });
    expect(count(lines, /<polyline /g)).toBe(1);
    // Series 0 uses circles, series 1 squares: 3 + 1 points plus one legend marker each.
    expect(count(lines, /<circle /g)).toBe(3 + 1);
    expect(count(lines, /<rect x="[^"]*" y="[^"]*" width="10"/g)).toBe(1 + 1);
  });

  it('rasterises a chart to a PNG of the scaled size', async () => {
    const svg = groupedBarChart({
      title: 'png',
      yLabel: 'y',
      groups: ['a'],
      series: ['s'],
      values: [[{ value: 1 }]],
      width: 400,
      height: 300,
    });
    const png = await svgToPng(svg, { scale: 2 });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(view.getUint32(16)).toBe(800); // IHDR width
    expect(view.getUint32(20)).toBe(600); // IHDR height
  });
});
