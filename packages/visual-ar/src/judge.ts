import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { argmax, InvalidArgumentError, ModelFormatError } from '@decodekit/core';
import { type FeatureStatistics, featureStatistics, frechetDistance } from './frechet.js';
import type { FloatImages } from './image.js';
import { expectNames, type ImageSessionOptions, importOnnxRuntime, openSession } from './ort.js';

/** The classifier's view of a batch of images. */
export interface Classification {
  /** Predicted class per image. */
  readonly predictions: Int32Array;
  /** Penultimate-layer features, row-major `[count, featureDim]`. */
  readonly features: Float32Array;
}

/** Quality of a set of generated images against the real test split. */
export interface ImageQuality {
  readonly count: number;
  /** Fraction of images the classifier assigns to the class they were generated for. */
  readonly classAccuracy: number;
  /** Fréchet distance of the classifier features to the real test split's (a small-scale FID). */
  readonly frechetDistance: number;
}

/**
 * The quality judge: a classifier trained on real images (`imageClassifier` of
 * `@decodekit/models-tiny`) and the feature statistics of the real test split.
 */
export interface ImageJudge {
  readonly classes: readonly string[];
  readonly featureDim: number;
  /** Feature mean/covariance of the real test split (`reference-stats.json`). */
  readonly reference: FeatureStatistics;
  /** The classifier's accuracy on the real test split, as recorded in `reference-stats.json`. */
  readonly referenceAccuracy?: number;
  classify(images: FloatImages): Promise<Classification>;
  /** Class accuracy and Fréchet distance of images generated for `labels` (class indices). */
  evaluate(images: FloatImages, labels: ArrayLike<number>): Promise<ImageQuality>;
  dispose(): Promise<void>;
}

/** Loads `model.onnx` and `reference-stats.json` of a classifier directory. */
export async function loadImageJudge(directory: string, options: ImageSessionOptions = {}): Promise<ImageJudge> {
  const statsPath = join(directory, 'reference-stats.json');
  let stats: {
    classes: string[];
    featureDim?: number;
    count?: number;
    mean: number[];
    cov: number[][];
    testAccuracy?: number;
  };
  try {
    stats = JSON.parse(await readFile(statsPath, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(`${statsPath}: cannot read the reference statistics (${String(error)}).`, {
      cause: error,
    });
  }
  const dim = stats.mean?.length ?? 0;
  if (dim === 0 || !Array.isArray(stats.cov) || stats.cov.length !== dim) {
    throw new ModelFormatError(`${statsPath}: needs mean [F] and cov [F x F].`);
  }
  const reference: FeatureStatistics = {
    mean: Float64Array.from(stats.mean),
    covariance: { n: dim, data: Float64Array.from(stats.cov.flat()) },
    count: stats.count ?? 0,
  };
  const path = join(directory, 'model.onnx');
  const session = await openSession(path, options);
  expectNames(session, path, ['images'], ['logits', 'features']);
  const ort = await importOnnxRuntime();
  const classify = async (images: FloatImages): Promise<Classification> => {
    const { count, size, data } = images;
    if (count === 0) return { predictions: new Int32Array(0), features: new Float32Array(0) };
    const out = await session.run({ images: new ort.Tensor('float32', data, [count, 3, size, size]) });
    const logits = out.logits.data as Float32Array;
    const classes = logits.length / count;
    const predictions = new Int32Array(count);
    for (let b = 0; b < count; b++) predictions[b] = argmax(logits.subarray(b * classes, (b + 1) * classes));
    const features = out.features.data as Float32Array;
    if (features.length !== count * dim) {
      throw new ModelFormatError(
        `${path}: features have ${features.length / count} values per image, the statistics ${dim}.`,
      );
    }
    return { predictions, features };
  };
  return {
    classes: stats.classes,
    featureDim: dim,
    reference,
    referenceAccuracy: stats.testAccuracy,
    classify,
    async evaluate(images, labels) {
      if (labels.length !== images.count) {
        throw new InvalidArgumentError('labels', `has ${labels.length} entries for ${images.count} images`);
      }
      const { predictions, features } = await classify(images);
      let correct = 0;
      for (let i = 0; i < images.count; i++) if (predictions[i] === labels[i]) correct++;
      return {
        count: images.count,
        classAccuracy: correct / images.count,
        frechetDistance: frechetDistance(featureStatistics(features, images.count, dim), reference),
      };
    },
    async dispose() {
      await session.release();
    },
  };
}
