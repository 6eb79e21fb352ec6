/**
 * The multi-scale residual VQ arithmetic of VAR, in float32 as torch computes it on the CPU:
 * bicubic upsampling (`align_corners = false`, A = −0.75, clamped borders), area downsampling
 * (adaptive average pooling) and the Phi convolution `(1 − r)·h + r·conv3x3(h)`. Maps are
 * channel-planar `[channels, side, side]`.
 */

const f = Math.fround;
const A = -0.75;

// Keys' cubic convolution kernel, the two branches torch uses (|x| <= 1 and 1 < |x| < 2).
const near = (x: number) => f(f(f(f(f(f(A + 2) * x) - (A + 3)) * x) * x) + 1);
const far = (x: number) => f(f(f(f(f(f(A * x) - 5 * A) * x) + 8 * A) * x) - 4 * A);

interface CubicTaps {
  readonly index: Int32Array; // 4 clamped source indices per output
  readonly weight: Float32Array; // 4 weights per output
}

const tapCache = new Map<string, CubicTaps>();

function cubicTaps(inSize: number, outSize: number): CubicTaps {
  const key = `${inSize}>${outSize}`;
  const cached = tapCache.get(key);
  if (cached) return cached;
  const scale = f(inSize / outSize);
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const real = f(f(scale * f(o + 0.5)) - 0.5);
    const base = Math.floor(real);
    const t = f(real - base);
    weight[o * 4] = far(f(t + 1));
    weight[o * 4 + 1] = near(t);
    weight[o * 4 + 2] = near(f(1 - t));
    weight[o * 4 + 3] = far(f(f(1 - t) + 1));
    for (let j = 0; j < 4; j++) index[o * 4 + j] = Math.min(Math.max(base - 1 + j, 0), inSize - 1);
  }
  const taps = { index, weight };
  tapCache.set(key, taps);
  return taps;
}

/** Bicubic upsampling of `[channels, inSide, inSide]` to `[channels, outSide, outSide]`. */
export function bicubicResize(src: Float32Array, channels: number, inSide: number, outSide: number): Float32Array {
  const taps = cubicTaps(inSide, outSide);
  const out = new Float32Array(channels * outSide * outSide);
  for (let c = 0; c < channels; c++) {
    const plane = c * inSide * inSide;
    for (let oy = 0; oy < outSide; oy++) {
      for (let ox = 0; ox < outSide; ox++) {
        // rows outer, columns inner, each a running float32 sum (torch's separable loop)
        let acc = 0;
        for (let j = 0; j < 4; j++) {
          const row = plane + taps.index[oy * 4 + j] * inSide;
          let t = 0;
          for (let i = 0; i < 4; i++) {
            const term = f(src[row + taps.index[ox * 4 + i]] * taps.weight[ox * 4 + i]);
            t = i === 0 ? term : f(t + term);
          }
          const term = f(t * taps.weight[oy * 4 + j]);
          acc = j === 0 ? term : f(acc + term);
        }
        out[c * outSide * outSide + oy * outSide + ox] = acc;
      }
    }
  }
  return out;
}

/** Area downsampling (adaptive average pooling) of `[channels, inSide, inSide]` to `outSide`. */
export function areaResize(src: Float32Array, channels: number, inSide: number, outSide: number): Float32Array {
  const out = new Float32Array(channels * outSide * outSide);
  for (let c = 0; c < channels; c++) {
    const plane = c * inSide * inSide;
    for (let oy = 0; oy < outSide; oy++) {
      const y0 = Math.floor((oy * inSide) / outSide);
      const y1 = Math.ceil(((oy + 1) * inSide) / outSide);
      for (let ox = 0; ox < outSide; ox++) {
        const x0 = Math.floor((ox * inSide) / outSide);
        const x1 = Math.ceil(((ox + 1) * inSide) / outSide);
        let sum = 0;
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum = f(sum + src[plane + y * inSide + x]);
        out[c * outSide * outSide + oy * outSide + ox] = f(f(sum / (y1 - y0)) / (x1 - x0));
      }
    }
  }
  return out;
}

/** A Phi convolution: 3×3, padding 1, `channels → channels`, weights `[out, in, 3, 3]`. */
export interface PhiConv {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** `(1 − ratio)·h + ratio·conv3x3(h)` on `[channels, side, side]`. */
export function applyPhi(h: Float32Array, channels: number, side: number, phi: PhiConv, ratio: number): Float32Array {
  const plane = side * side;
  const out = new Float32Array(channels * plane);
  const keep = f(1 - ratio);
  for (let co = 0; co < channels; co++) {
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        let sum = phi.bias[co];
        for (let ci = 0; ci < channels; ci++) {
          const w = (co * channels + ci) * 9;
          for (let ky = 0; ky < 3; ky++) {
            const yy = y + ky - 1;
            if (yy < 0 || yy >= side) continue;
            for (let kx = 0; kx < 3; kx++) {
              const xx = x + kx - 1;
              if (xx < 0 || xx >= side) continue;
              sum += phi.weight[w + ky * 3 + kx] * h[ci * plane + yy * side + xx];
            }
          }
        }
        const i = co * plane + y * side + x;
        out[i] = f(f(h[i] * keep) + f(f(sum) * ratio));
      }
    }
  }
  return out;
}

/** Channel-planar `[channels, side, side]` → token rows `[side², channels]` (the transformer's input layout). */
export function planarToTokens(map: Float32Array, channels: number, side: number): Float32Array {
  const plane = side * side;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) for (let p = 0; p < plane; p++) out[p * channels + c] = map[c * plane + p];
  return out;
}
