import { InvalidArgumentError } from '@decodekit/core';

/** A symmetric matrix, row-major `n × n`, in float64. */
export interface SymmetricMatrix {
  readonly n: number;
  readonly data: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: `A = V diag(values) Vᵀ`,
 * `vectors` row-major with eigenvector k in column k. Accurate to rounding for the feature
 * covariances of a small classifier (n ≤ a few hundred).
 */
export function symmetricEigen(
  matrix: SymmetricMatrix,
  maxSweeps = 100,
): { values: Float64Array; vectors: Float64Array } {
  const { n } = matrix;
  const a = Float64Array.from(matrix.data);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/**
 * The principal square root of a symmetric positive semi-definite matrix (`V diag(√λ) Vᵀ`; small
 * negative eigenvalues from rounding are clamped to 0).
 */
export function symmetricSqrt(matrix: SymmetricMatrix): SymmetricMatrix {
  const { n } = matrix;
  const { values, vectors } = symmetricEigen(matrix);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(0, values[k]));
    if (root === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k] * root;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vik * vectors[j * n + k];
    }
  }
  return { n, data: out };
}

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

/** Feature statistics of a set: mean (length n) and covariance (n × n, `N − 1` normaliser). */
export interface FeatureStatistics {
  readonly mean: Float64Array;
  readonly covariance: SymmetricMatrix;
  readonly count: number;
}

/** Mean and covariance (`N − 1` normaliser) of `count` feature rows of length `dim`, row-major. */
export function featureStatistics(features: ArrayLike<number>, count: number, dim: number): FeatureStatistics {
  if (count < 2) throw new InvalidArgumentError('count', `a covariance needs at least 2 rows, got ${count}`);
  if (features.length !== count * dim) {
    throw new InvalidArgumentError('features', `has ${features.length} values, expected ${count} x ${dim}`);
  }
  const mean = new Float64Array(dim);
  for (let r = 0; r < count; r++) for (let c = 0; c < dim; c++) mean[c] += features[r * dim + c];
  for (let c = 0; c < dim; c++) mean[c] /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let r = 0; r < count; r++) {
    for (let c = 0; c < dim; c++) centred[c] = features[r * dim + c] - mean[c];
    for (let i = 0; i < dim; i++) {
      const ci = centred[i];
      if (ci === 0) continue;
      for (let j = i; j < dim; j++) cov[i * dim + j] += ci * centred[j];
    }
  }
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const value = cov[i * dim + j] / (count - 1);
      cov[i * dim + j] = value;
      cov[j * dim + i] = value;
    }
  }
  return { mean, covariance: { n: dim, data: cov }, count };
}

/**
 * The Fréchet distance between two Gaussians fitted to feature sets (the FID formula):
 * `‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₂^{1/2} Σ₁ Σ₂^{1/2})^{1/2})`, with the symmetric square roots
 * computed by `symmetricSqrt`.
 */
export function frechetDistance(a: FeatureStatistics, b: FeatureStatistics): number {
  const n = a.mean.length;
  if (b.mean.length !== n || a.covariance.n !== n || b.covariance.n !== n) {
    throw new InvalidArgumentError('statistics', `feature sizes differ (${n} vs ${b.mean.length})`);
  }
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  const rootB = symmetricSqrt(b.covariance).data;
  const middle = multiply(multiply(rootB, a.covariance.data, n), rootB, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = (middle[i * n + j] + middle[j * n + i]) / 2;
      middle[i * n + j] = s;
      middle[j * n + i] = s;
    }
  }
  const { values } = symmetricEigen({ n, data: middle });
  let traceRoot = 0;
  for (const value of values) traceRoot += Math.sqrt(Math.max(0, value));
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a.covariance.data[i * n + i] + b.covariance.data[i * n + i];
  return meanTerm + trace - 2 * traceRoot;
}
