let table: Float32Array | undefined;

/** All 65536 half-precision values as float32, built once on first use (256 KiB). */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const fraction = bits & 0x3ff;
    let value: number;
    if (exponent === 0) value = fraction * 2 ** -24;
    else if (exponent === 31) value = fraction === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else value = (1 + fraction / 1024) * 2 ** (exponent - 15);
    table[bits] = sign * value;
  }
  return table;
}

/** Converts IEEE half-precision bit patterns (as onnxruntime returns `float16` tensors) to float32. */
export function float16ToFloat32(source: Uint16Array, target = new Float32Array(source.length)): Float32Array {
  const lookup = halfTable();
  for (let i = 0; i < source.length; i++) target[i] = lookup[source[i]];
  return target;
}

/** Converts float32 values to half-precision bit patterns (round to nearest even), for fp16 graph inputs. */
export function float32ToFloat16(source: Float32Array, target = new Uint16Array(source.length)): Uint16Array {
  const view = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < source.length; i++) {
    view.setFloat32(0, source[i]);
    const x = view.getUint32(0);
    const sign = (x >>> 16) & 0x8000;
    const exponent = (x >>> 23) & 0xff;
    let mantissa = x & 0x7fffff;
    if (exponent === 0xff) {
      target[i] = sign | 0x7c00 | (mantissa ? 0x200 : 0);
      continue;
    }
    const e = exponent - 127 + 15;
    if (e >= 31) {
      target[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        target[i] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - e;
      let half = mantissa >> shift;
      const rest = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rest > halfway || (rest === halfway && half & 1)) half++;
      target[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mantissa >> 13);
    const rest = mantissa & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    target[i] = sign | half;
  }
  return target;
}
