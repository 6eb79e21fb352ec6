export { argmax, kthLargest, sampleCategorical, topK } from './select.js';
export { entropy, hasInvalidLogits, logSoftmax, logSumExp, softmax } from './softmax.js';
