/**
 * A small SVG writer for the benchmark charts: grouped bars with error whiskers, a labelled scatter
 * and multi-series lines. Hand-rolled so the charts need no plotting library; text uses common
 * sans-serif fonts so both browsers and resvg render it.
 */

const fontFamily = 'DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif';

/** A colour-blind-safe palette (Okabe and Ito), in series order. */
export const palette: readonly string[] = Object.freeze([
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
  '#999999',
  '#882255',
  '#44AA99',
  '#332288',
  '#117733',
  '#AA4499',
]);

/** Escapes text for an SVG text node or attribute. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

const round = (value: number) => Math.round(value * 100) / 100;

/** "Nice" axis ticks covering [low, high]: 1, 2 or 5 times a power of ten apart. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.floor(low / step) * step; tick <= high + step * 1e-9; tick += step)
    ticks.push(round(tick * 1e6) / 1e6);
  if (ticks[ticks.length - 1] < high) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

function open(frame: Frame, title: string, subtitle?: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" font-family="${fontFamily}">`,
    `<rect width="${frame.width}" height="${frame.height}" fill="#ffffff"/>`,
    `<text x="${frame.width / 2}" y="26" font-size="18" font-weight="bold" text-anchor="middle" fill="#222">${escapeXml(title)}</text>`,
    subtitle
      ? `<text x="${frame.width / 2}" y="46" font-size="12" text-anchor="middle" fill="#555">${escapeXml(subtitle)}</text>`
      : '',
  ];
}

function yAxis(
  frame: Frame,
  ticks: readonly number[],
  scale: (v: number) => number,
  label: string,
  format: (v: number) => string,
): string[] {
  const parts: string[] = [];
  for (const tick of ticks) {
    const y = round(scale(tick));
    parts.push(`<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(
      `<text x="${frame.left - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#333">${escapeXml(format(tick))}</text>`,
    );
  }
  const middle = (frame.top + frame.height - frame.bottom) / 2;
  parts.push(
    `<text x="18" y="${middle}" font-size="13" text-anchor="middle" fill="#333" transform="rotate(-90 18 ${middle})">${escapeXml(label)}</text>`,
  );
  parts.push(
    `<line x1="${frame.left}" x2="${frame.left}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#888"/>`,
  );
  return parts;
}

/** One legend entry: a colour swatch, a marker shape, or a dashed line. */
interface LegendItem {
  readonly label: string;
  readonly colour: string;
  readonly shape?: number;
  readonly dashed?: boolean;
}

function legend(frame: Frame, items: readonly LegendItem[], y: number): string[] {
  const parts: string[] = [];
  let x = frame.left;
  for (const item of items) {
    const width = 26 + item.label.length * 7.2;
    if (x + width > frame.width - frame.right) {
      x = frame.left;
      y += 18;
    }
    if (item.dashed) {
      parts.push(
        `<line x1="${round(x)}" x2="${round(x + 14)}" y1="${y - 4}" y2="${y - 4}" stroke="${item.colour}" stroke-dasharray="4 3" stroke-width="1.5"/>`,
      );
    } else if (item.shape !== undefined) {
      parts.push(marker(item.shape, x + 6, y - 4, item.colour));
    } else {
      parts.push(`<rect x="${round(x)}" y="${y - 10}" width="12" height="12" fill="${item.colour}"/>`);
    }
    parts.push(`<text x="${round(x + 19)}" y="${y}" font-size="12" fill="#333">${escapeXml(item.label)}</text>`);
    x += width + 12;
  }
  return parts;
}

const swatches = (names: readonly string[]): LegendItem[] =>
  names.map((label, i) => ({ label, colour: palette[i % palette.length] }));

/** Marker shapes by index: circle, square, triangle, diamond. */
function marker(shape: number, x: number, y: number, colour: string): string {
  const stroke = 'stroke="#222" stroke-width="0.6"';
  switch (shape % 4) {
    case 1:
      return `<rect x="${round(x - 5)}" y="${round(y - 5)}" width="10" height="10" fill="${colour}" ${stroke}/>`;
    case 2:
      return `<path d="M${round(x)} ${round(y - 6)}L${round(x + 6)} ${round(y + 5)}H${round(x - 6)}Z" fill="${colour}" ${stroke}/>`;
    case 3:
      return `<path d="M${round(x)} ${round(y - 6)}L${round(x + 6)} ${round(y)}L${round(x)} ${round(y + 6)}L${round(x - 6)} ${round(y)}Z" fill="${colour}" ${stroke}/>`;
    default:
      return `<circle cx="${round(x)}" cy="${round(y)}" r="5" fill="${colour}" ${stroke}/>`;
  }
}

/** One bar of a grouped bar chart: a value and an optional whisker (e.g. the interquartile range). */
export interface BarValue {
  readonly value: number;
  readonly low?: number;
  readonly high?: number;
}

export interface GroupedBarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly yLabel: string;
  /** Group labels along the x axis (e.g. methods). */
  readonly groups: readonly string[];
  /** Series within each group (e.g. suites); `values[series][group]`, undefined for a gap. */
  readonly series: readonly string[];
  readonly values: readonly (readonly (BarValue | undefined)[])[];
  /** A dashed horizontal reference line (e.g. speedup 1 = autoregressive). */
  readonly referenceLine?: { readonly value: number; readonly label: string };
  readonly format?: (value: number) => string;
  readonly width?: number;
  readonly height?: number;
}

/** Grouped vertical bars with whiskers and value labels. */
export function groupedBarChart(options: GroupedBarChartOptions): string {
  const frame: Frame = {
    width: options.width ?? 960,
    height: options.height ?? 480,
    left: 70,
    right: 20,
    top: 64,
    bottom: 110,
  };
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const all = options.values.flat().flatMap((bar) => (bar ? [bar.value, bar.high ?? bar.value] : []));
  const top = Math.max(options.referenceLine?.value ?? 0, ...all, 0) * 1.12 || 1;
  const ticks = niceTicks(0, top);
  const maxTick = ticks[ticks.length - 1];
  const plotHeight = frame.height - frame.top - frame.bottom;
  const scale = (v: number) => frame.top + plotHeight * (1 - v / maxTick);
  const parts = open(frame, options.title, options.subtitle);
  parts.push(...yAxis(frame, ticks, scale, options.yLabel, (v) => String(v)));
  const plotWidth = frame.width - frame.left - frame.right;
  const groupWidth = plotWidth / Math.max(1, options.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, options.series.length);
  options.groups.forEach((group, g) => {
    const groupX = frame.left + g * groupWidth + groupWidth * 0.1;
    options.series.forEach((_, s) => {
      const bar = options.values[s]?.[g];
      if (!bar || !Number.isFinite(bar.value)) return;
      const x = groupX + s * barWidth;
      const y = scale(bar.value);
      parts.push(
        `<rect x="${round(x + 1)}" y="${round(y)}" width="${round(barWidth - 2)}" height="${round(scale(0) - y)}" fill="${palette[s % palette.length]}"/>`,
      );
      if (bar.low !== undefined && bar.high !== undefined && bar.high > bar.low) {
        const cx = round(x + barWidth / 2);
        parts.push(
          `<path d="M${cx} ${round(scale(bar.low))}V${round(scale(bar.high))}M${round(cx - 4)} ${round(scale(bar.low))}h8M${round(cx - 4)} ${round(scale(bar.high))}h8" stroke="#222" stroke-width="1.2" fill="none"/>`,
        );
      }
      if (barWidth >= 22) {
        const labelY = round(Math.min(scale(bar.high ?? bar.value), y) - 4);
        parts.push(
          `<text x="${round(x + barWidth / 2)}" y="${labelY}" font-size="10" text-anchor="middle" fill="#222">${escapeXml(format(bar.value))}</text>`,
        );
      }
    });
    const labelX = round(frame.left + g * groupWidth + groupWidth / 2);
    const labelY = frame.height - frame.bottom + 16;
    parts.push(
      `<text x="${labelX}" y="${labelY}" font-size="12" text-anchor="end" fill="#222" transform="rotate(-30 ${labelX} ${labelY})">${escapeXml(group)}</text>`,
    );
  });
  if (options.referenceLine) {
    const y = round(scale(options.referenceLine.value));
    parts.push(
      `<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="6 4"/>`,
    );
  }
  parts.push(
    `<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${scale(0)}" y2="${scale(0)}" stroke="#888"/>`,
  );
  // The reference line is named in the legend, where its label cannot cover a bar.
  const reference = options.referenceLine ? [{ label: options.referenceLine.label, colour: '#c00', dashed: true }] : [];
  parts.push(...legend(frame, [...swatches(options.series), ...reference], frame.height - 18));
  parts.push('</svg>');
  return parts.filter(Boolean).join('\n');
}

/** One point of a scatter chart. */
export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Text next to the point; empty for none (the legend then tells points apart). */
  readonly label: string;
  /** Index into the series names (colour). */
  readonly series: number;
  /** Index into the shape names (circle, square, triangle, diamond); default circle. */
  readonly shape?: number;
}

export interface ScatterChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly string[];
  /** Names of the marker shapes, for the legend (e.g. suites). */
  readonly shapes?: readonly string[];
  readonly points: readonly ScatterPoint[];
  /** Draw y = x (where speedup would equal τ: efficiency 1). */
  readonly diagonal?: string;
  readonly width?: number;
  readonly height?: number;
}

/** A scatter of labelled points, with an optional y = x line. */
export function scatterChart(options: ScatterChartOptions): string {
  const frame: Frame = {
    width: options.width ?? 960,
    height: options.height ?? 580,
    left: 70,
    right: 30,
    top: 64,
    bottom: 110,
  };
  const xs = options.points.map((p) => p.x);
  const ys = options.points.map((p) => p.y);
  const xTicks = niceTicks(Math.min(0.5, ...xs), Math.max(1.5, ...xs) * 1.08);
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(1.5, ...ys) * 1.1);
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const sx = (v: number) => frame.left + (plotWidth * (v - x0)) / (x1 - x0);
  const sy = (v: number) => frame.top + plotHeight * (1 - (v - y0) / (y1 - y0));
  const parts = open(frame, options.title, options.subtitle);
  parts.push(...yAxis(frame, yTicks, sy, options.yLabel, (v) => String(v)));
  for (const tick of xTicks) {
    const x = round(sx(tick));
    parts.push(`<line x1="${x}" x2="${x}" y1="${frame.top}" y2="${frame.height - frame.bottom}" stroke="#eeeeee"/>`);
    parts.push(
      `<text x="${x}" y="${frame.height - frame.bottom + 18}" font-size="12" text-anchor="middle" fill="#333">${tick}</text>`,
    );
  }
  parts.push(
    `<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom}" stroke="#888"/>`,
  );
  parts.push(
    `<text x="${frame.left + plotWidth / 2}" y="${frame.height - frame.bottom + 40}" font-size="13" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`,
  );
  if (options.diagonal) {
    const low = Math.max(x0, y0);
    const high = Math.min(x1, y1);
    if (high > low) {
      parts.push(
        `<line x1="${round(sx(low))}" y1="${round(sy(low))}" x2="${round(sx(high))}" y2="${round(sy(high))}" stroke="#c00" stroke-dasharray="6 4"/>`,
      );
      parts.push(
        `<text x="${round(sx(high)) - 4}" y="${round(sy(high)) + 14}" font-size="11" text-anchor="end" fill="#c00">${escapeXml(options.diagonal)}</text>`,
      );
    }
  }
  for (const point of options.points) {
    const x = round(sx(point.x));
    const y = round(sy(point.y));
    parts.push(marker(point.shape ?? 0, x, y, palette[point.series % palette.length]));
    if (point.label)
      parts.push(`<text x="${x + 7}" y="${y - 6}" font-size="10" fill="#333">${escapeXml(point.label)}</text>`);
  }
  const shapes = (options.shapes ?? []).map((label, i) => ({ label, colour: '#ffffff', shape: i }));
  parts.push(...legend(frame, swatches(options.series), frame.height - 34));
  parts.push(...legend(frame, shapes, frame.height - 12));
  parts.push('</svg>');
  return parts.filter(Boolean).join('\n');
}

export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Labels of the x positions (e.g. draft depth 1, 2, ...). */
  readonly xValues: readonly string[];
  readonly series: readonly string[];
  /** `values[series][x]`, undefined where a series has no value. */
  readonly values: readonly (readonly (number | undefined)[])[];
  readonly yMax?: number;
  readonly width?: number;
  readonly height?: number;
}

/** Lines with markers, one per series. */
export function lineChart(options: LineChartOptions): string {
  const frame: Frame = {
    width: options.width ?? 960,
    height: options.height ?? 480,
    left: 70,
    right: 30,
    top: 64,
    bottom: 90,
  };
  const top = options.yMax ?? Math.max(0, ...options.values.flat().filter((v): v is number => v !== undefined)) * 1.1;
  const ticks = niceTicks(0, top || 1);
  const maxTick = ticks[ticks.length - 1];
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const count = Math.max(1, options.xValues.length);
  const sx = (i: number) => frame.left + (plotWidth * (i + 0.5)) / count;
  const sy = (v: number) => frame.top + plotHeight * (1 - v / maxTick);
  const parts = open(frame, options.title, options.subtitle);
  parts.push(...yAxis(frame, ticks, sy, options.yLabel, (v) => String(v)));
  options.xValues.forEach((label, i) => {
    parts.push(
      `<text x="${round(sx(i))}" y="${frame.height - frame.bottom + 18}" font-size="12" text-anchor="middle" fill="#333">${escapeXml(label)}</text>`,
    );
  });
  parts.push(
    `<line x1="${frame.left}" x2="${frame.width - frame.right}" y1="${frame.height - frame.bottom}" y2="${frame.height - frame.bottom}" stroke="#888"/>`,
  );
  parts.push(
    `<text x="${frame.left + plotWidth / 2}" y="${frame.height - frame.bottom + 40}" font-size="13" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`,
  );
  options.values.forEach((row, s) => {
    const colour = palette[s % palette.length];
    // Dodge each series a little sideways so series with equal values do not hide each other.
    const dodge = (s - (options.values.length - 1) / 2) * 3;
    const points = row.flatMap((v, i) =>
      v === undefined || !Number.isFinite(v) ? [] : [[round(sx(i) + dodge), round(sy(v))] as const],
    );
    if (points.length > 1) {
      parts.push(
        `<polyline points="${points.map(([x, y]) => `${x},${y}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2"/>`,
      );
    }
    // Marker shapes cycle too, so series whose lines coincide stay distinguishable.
    for (const [x, y] of points) parts.push(marker(s, x, y, colour));
  });
  const items = options.series.map((label, s) => ({ label, colour: palette[s % palette.length], shape: s }));
  parts.push(...legend(frame, items, frame.height - 14));
  parts.push('</svg>');
  return parts.filter(Boolean).join('\n');
}
