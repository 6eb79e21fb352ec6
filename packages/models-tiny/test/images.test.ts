/**
 * The image models of issue #11 (layouts: docs/visual-ar-layout.md), run in onnxruntime-node:
 * shapes of every graph, VQ decoder and classifier against their torch outputs (atol 1e-4), raster AR with the cache
 * against full recomputation, the NAR diagonal schedule with the cache against the one-pass proximity mask, and
 * greedy raster / NAR generation against the torch reference grids (exact).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imageAr, imageClassifier, imageNar, imageVarLarge, imageVarSmall, imageVarVq, imageVq } from '../src/index.js';

interface Tensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface Session {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}
interface Ort {
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => Tensor;
  InferenceSession: { create(path: string): Promise<Session> };
}

const O = (await import('onnxruntime-node')) as unknown as Ort;
const ATOL = 1e-4;
const readJson = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const i64 = (rows: number[][]): Tensor =>
  new O.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
const i64x3 = (m: number[][][]): Tensor =>
  new O.Tensor('int64', BigInt64Array.from(m.flat(2).map(BigInt)), [m.length, m[0].length, m[0][0].length]);
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
/** Row `s` of a [B,S,V] float tensor, batch row `b`. */
const row = (t: Tensor, b: number, s: number): Float32Array => {
  const [, S, V] = t.dims as number[];
  return (t.data as Float32Array).subarray((b * S + s) * V, (b * S + s + 1) * V);
};
const argmax = (z: ArrayLike<number>, n: number): number => {
  let best = 0;
  for (let i = 1; i < n; i++) if (z[i] > z[best]) best = i;
  return best;
};
const emptyPast = (layers: number, kv: number, hd: number, B: number): Record<string, Tensor> => {
  const f: Record<string, Tensor> = {};
  for (let i = 0; i < layers; i++)
    for (const k of ['key', 'value'])
      f[`past_key_values.${i}.${k}`] = new O.Tensor('float32', new Float32Array(0), [B, kv, 0, hd]);
  return f;
};
const pastFrom = (out: Record<string, Tensor>, layers: number): Record<string, Tensor> => {
  const f: Record<string, Tensor> = {};
  for (let i = 0; i < layers; i++)
    for (const k of ['key', 'value']) f[`past_key_values.${i}.${k}`] = out[`present.${i}.${k}`];
  return f;
};

/** Classifier-free guidance as the torch reference computes it (float32): z_u + s·(z_c − z_u). */
const cfgMix = (zc: Float32Array, zu: Float32Array, s: number): Float32Array =>
  zc.map((c, i) => Math.fround(zu[i] + Math.fround(s * Math.fround(c - zu[i]))));

const imageConfig = readJson(imageAr, 'image_config.json');
const CODES: number = imageConfig.codebookSize;
const GRID: number = imageConfig.grid[0];
const NTOK = GRID * GRID;

describe('image-vq and image-classifier', () => {
  const ref = readJson(imageVq, 'reference-decode.json');
  const cref = readJson(imageClassifier, 'reference-outputs.json');

  it('decoder maps codes [B,8,8] to images [B,3,32,32] in [0,1], equal to torch', async () => {
    const dec = await O.InferenceSession.create(join(imageVq, 'decoder.onnx'));
    const codes = i64x3(ref.codes.map((g: number[]) => range(0, GRID).map((i) => g.slice(i * GRID, (i + 1) * GRID))));
    const out = await dec.run({ codes });
    expect(out.images.dims).toEqual([ref.codes.length, 3, 32, 32]);
    const x = out.images.data as Float32Array;
    expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    expect(maxAbsDiff(x, ref.images.flat())).toBeLessThan(ATOL);
  });

  it('encoder maps images to int64 codes [B,8,8] in 0..511', async () => {
    const enc = await O.InferenceSession.create(join(imageVq, 'encoder.onnx'));
    const n = ref.codes.length;
    const out = await enc.run({
      images: new O.Tensor('float32', Float32Array.from(ref.images.flat()), [n, 3, 32, 32]),
    });
    expect(out.codes.dims).toEqual([n, GRID, GRID]);
    for (const v of out.codes.data as BigInt64Array) {
      expect(v >= 0n && v < BigInt(CODES)).toBe(true);
    }
  });

  it('classifier gives logits [B,36] and features [B,F], equal to torch; stats match F', async () => {
    const s = await O.InferenceSession.create(join(imageClassifier, 'model.onnx'));
    const stats = readJson(imageClassifier, 'reference-stats.json');
    const n = ref.codes.length;
    const out = await s.run({ images: new O.Tensor('float32', Float32Array.from(ref.images.flat()), [n, 3, 32, 32]) });
    expect(out.logits.dims).toEqual([n, stats.classes.length]);
    expect(out.features.dims).toEqual([n, stats.featureDim]);
    expect(stats.mean).toHaveLength(stats.featureDim);
    expect(stats.cov).toHaveLength(stats.featureDim);
    expect(maxAbsDiff(out.logits.data as Float32Array, cref.logits.flat())).toBeLessThan(ATOL);
    expect(maxAbsDiff(out.features.data as Float32Array, cref.features.flat())).toBeLessThan(ATOL);
  });
});

describe('image-ar (standard decoder layout)', () => {
  const cfg = readJson(imageAr, 'config.json');
  const L: number = cfg.num_hidden_layers;
  const KV: number = cfg.num_key_value_heads;
  const HD: number = cfg.head_dim;
  const sessionP = O.InferenceSession.create(join(imageAr, 'onnx/model.onnx'));
  const run = async (ids: number[][], pos: number[][], total: number, past: Record<string, Tensor>) =>
    (await sessionP).run({
      input_ids: i64(ids),
      position_ids: i64(pos),
      attention_mask: i64(ids.map(() => Array(total).fill(1))),
      ...past,
    });

  it('incremental decoding with the cache equals full recomputation', async () => {
    const ref = readJson(imageAr, 'reference-greedy.json');
    const seqs = ref.classes.map((c: number, k: number) => [imageConfig.classTokenOffset + c, ...ref.grids[k]]);
    const n = NTOK + 1;
    const full = await run(seqs, [range(0, n), range(0, n)], n, emptyPast(L, KV, HD, 2));
    expect(full.logits.dims).toEqual([2, n, cfg.vocab_size]);
    let past = emptyPast(L, KV, HD, 2);
    let t = 0;
    for (const step of [1, 1, 20, 1, 42]) {
      const e = t + step;
      const out = await run(
        seqs.map((r: number[]) => r.slice(t, e)),
        [range(t, e), range(t, e)],
        e,
        past,
      );
      for (let b = 0; b < 2; b++)
        for (let s = t; s < e; s++)
          expect(maxAbsDiff(row(out.logits, b, s - t), row(full.logits, b, s))).toBeLessThan(ATOL);
      past = pastFrom(out, L);
      t = e;
    }
    expect(t).toBe(n);
  });

  it('greedy raster generation (CFG 1) equals the torch reference grids', async () => {
    const ref = readJson(imageAr, 'reference-greedy.json');
    for (let k = 0; k < ref.classes.length; k++) {
      let past = emptyPast(L, KV, HD, 1);
      let tok = imageConfig.classTokenOffset + ref.classes[k];
      const grid: number[] = [];
      for (let t = 0; t < NTOK; t++) {
        const out = await run([[tok]], [[t]], t + 1, past);
        tok = argmax(row(out.logits, 0, 0), CODES);
        grid.push(tok);
        past = pastFrom(out, L);
      }
      expect(grid).toEqual(ref.grids[k]);
    }
  });

  it('greedy raster generation with CFG 3 (batch [cond; uncond]) equals the torch reference grids', async () => {
    const ref = readJson(imageAr, 'reference-greedy.json');
    for (let k = 0; k < ref.classes.length; k++) {
      let past = emptyPast(L, KV, HD, 2);
      let toks = [imageConfig.classTokenOffset + ref.classes[k], imageConfig.nullClassToken];
      const grid: number[] = [];
      for (let t = 0; t < NTOK; t++) {
        const out = await run([[toks[0]], [toks[1]]], [[t], [t]], t + 1, past);
        const tok = argmax(cfgMix(row(out.logits, 0, 0), row(out.logits, 1, 0), 3), CODES);
        grid.push(tok);
        toks = [tok, tok];
        past = pastFrom(out, L);
      }
      expect(grid).toEqual(ref.cfg3.grids[k]);
    }
  });
});

describe('image-nar (two heads, proximity mask, 2-D positions)', () => {
  const cfg = readJson(imageNar, 'config.json');
  const CL: number = cfg.num_cache_layers;
  const KV: number = cfg.num_key_value_heads;
  const HD: number = cfg.head_dim;
  const sessionP = O.InferenceSession.create(join(imageNar, 'nar.onnx'));
  const diagonal = (d: number): [number, number][] =>
    range(Math.max(0, d - GRID + 1), Math.min(d, GRID - 1) + 1).map((i) => [i, d - i]);
  const run = async (ids: number[], rows: number[], cols: number[], mask: number[][], past: Record<string, Tensor>) =>
    (await sessionP).run({
      input_ids: i64([ids]),
      row_ids: i64([rows]),
      col_ids: i64([cols]),
      attention_mask: i64x3([mask]),
      ...past,
    });
  const ones = (S: number, T: number): number[][] => range(0, S).map(() => Array(T).fill(1));

  it('the diagonal schedule with the cache equals the one-pass proximity-mask forward', async () => {
    const ref = readJson(imageNar, 'reference-greedy.json');
    const g: number[] = ref.grids[0];
    const cls = imageConfig.classTokenOffset + ref.classes[0];
    const cells = range(0, NTOK).map((k) => [Math.floor(k / GRID), k % GRID]);
    const dist = [-1, ...cells.map(([i, j]) => i + j)];
    const mask = dist.map((da) => dist.map((db) => (db <= da ? 1 : 0)));
    const full = await run(
      [cls, ...g],
      [0, ...cells.map(([i]) => i + 1)],
      [0, ...cells.map(([, j]) => j + 1)],
      mask,
      emptyPast(CL, KV, HD, 1),
    );
    expect(full.logits_right.dims).toEqual([1, NTOK + 1, CODES]);
    expect(full.logits_below.dims).toEqual([1, NTOK + 1, CODES]);
    let out = await run([cls], [0], [0], [[1]], emptyPast(CL, KV, HD, 1));
    expect(maxAbsDiff(row(out.logits_right, 0, 0), row(full.logits_right, 0, 0))).toBeLessThan(ATOL);
    let P = 1;
    for (let d = 0; d < 2 * GRID - 1; d++) {
      const inp = diagonal(d);
      out = await run(
        inp.map(([i, j]) => g[i * GRID + j]),
        inp.map(([i]) => i + 1),
        inp.map(([, j]) => j + 1),
        ones(inp.length, P + inp.length),
        pastFrom(out, CL),
      );
      inp.forEach(([i, j], s) => {
        const k = 1 + i * GRID + j;
        expect(maxAbsDiff(row(out.logits_right, 0, s), row(full.logits_right, 0, k))).toBeLessThan(ATOL);
        expect(maxAbsDiff(row(out.logits_below, 0, s), row(full.logits_below, 0, k))).toBeLessThan(ATOL);
      });
      P += inp.length;
      expect(out['present.0.key'].dims).toEqual([1, KV, P, HD]);
    }
  });

  /** Greedy NAR decoding with the documented schedule; `cfg` = 1: conditional row only, else batch [cond; uncond]. */
  const greedyNar = async (cls: number, cfg: number): Promise<{ grid: number[]; passes: number }> => {
    const B = cfg === 1 ? 1 : 2;
    const runB = async (
      ids: number[],
      rows: number[],
      cols: number[],
      mask: number[][],
      past: Record<string, Tensor>,
    ) =>
      (await sessionP).run({
        input_ids: i64(B === 1 ? [ids] : [ids, ids]),
        row_ids: i64(B === 1 ? [rows] : [rows, rows]),
        col_ids: i64(B === 1 ? [cols] : [cols, cols]),
        attention_mask: i64x3(B === 1 ? [mask] : [mask, mask]),
        ...past,
      });
    const avg = (a: Float32Array, b: Float32Array) => a.map((v, i) => (v + b[i]) / 2);
    const pick = (z: (b: number) => Float32Array): number => argmax(B === 1 ? z(0) : cfgMix(z(0), z(1), cfg), CODES);
    const grid = Array(NTOK).fill(-1);
    let out = await sessionP.then((s) =>
      s.run({
        input_ids: i64(B === 1 ? [[cls]] : [[cls], [imageConfig.nullClassToken]]),
        row_ids: i64(Array(B).fill([0])),
        col_ids: i64(Array(B).fill([0])),
        attention_mask: i64x3(Array(B).fill([[1]])),
        ...emptyPast(CL, KV, HD, B),
      }),
    );
    grid[0] = pick((b) => avg(row(out.logits_right, b, 0), row(out.logits_below, b, 0)));
    let P = 1;
    let passes = 1;
    for (let t = 1; t <= 2 * GRID - 2; t++) {
      const inp = diagonal(t - 1);
      out = await runB(
        inp.map(([i, j]) => grid[i * GRID + j]),
        inp.map(([i]) => i + 1),
        inp.map(([, j]) => j + 1),
        ones(inp.length, P + inp.length),
        pastFrom(out, CL),
      );
      P += inp.length;
      passes++;
      const at = new Map(inp.map(([i, j], s) => [`${i},${j}`, s]));
      for (const [i, j] of diagonal(t)) {
        grid[i * GRID + j] = pick((b) => {
          const zs: Float32Array[] = [];
          if (j >= 1) zs.push(row(out.logits_right, b, at.get(`${i},${j - 1}`)!));
          if (i >= 1) zs.push(row(out.logits_below, b, at.get(`${i - 1},${j}`)!));
          return zs.length === 1 ? zs[0] : avg(zs[0], zs[1]);
        });
      }
    }
    return { grid, passes };
  };

  it('greedy NAR generation (CFG 1, 2·8−1 = 15 forward passes) equals the torch reference grids', async () => {
    const ref = readJson(imageNar, 'reference-greedy.json');
    for (let k = 0; k < ref.classes.length; k++) {
      const { grid, passes } = await greedyNar(imageConfig.classTokenOffset + ref.classes[k], 1);
      expect(passes).toBe(2 * GRID - 1);
      expect(grid).toEqual(ref.grids[k]);
    }
  });

  it('greedy NAR generation with CFG 3 (batch [cond; uncond]) equals the torch reference grids', async () => {
    const ref = readJson(imageNar, 'reference-greedy.json');
    for (let k = 0; k < ref.classes.length; k++) {
      const { grid } = await greedyNar(imageConfig.classTokenOffset + ref.classes[k], 3);
      expect(grid).toEqual(ref.cfg3.grids[k]);
    }
  });
});

describe('VAR models (issue #12)', () => {
  it('ship the multi-scale VQ and both transformers with matching configs', async () => {
    const vq = readJson(imageVarVq, 'config.json');
    for (const f of ['decoder.onnx', 'residual.bin']) expect(existsSync(join(imageVarVq, f)), f).toBe(true);
    for (const dir of [imageVarLarge, imageVarSmall]) {
      const cfg = readJson(dir, 'config.json');
      expect(cfg.numClasses).toBe(36);
      expect(cfg.scales).toEqual(vq.scales);
      const session = await O.InferenceSession.create(join(dir, 'var.onnx'));
      expect(session).toBeDefined();
    }
  });
});
