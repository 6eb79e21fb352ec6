import { describeSequenceConformance } from '@decodekit/testing';
import { loadModel } from '../src/index.js';
import { tinyLm, workerUrl } from './helpers.js';

// The shared contract suite of @decodekit/testing, on the real tiny model: in this thread, in a
// worker, and with only the standard graph (chains, no hidden states).
describeSequenceConformance('onnx tiny-lm', () => loadModel(tinyLm, { intraOpNumThreads: 1 }));
describeSequenceConformance('onnx tiny-lm (worker)', () =>
  loadModel(tinyLm, { intraOpNumThreads: 1, worker: true, workerUrl }),
);
describeSequenceConformance('onnx tiny-lm (standard graph only)', () =>
  loadModel(tinyLm, { intraOpNumThreads: 1, extensions: false }),
);
