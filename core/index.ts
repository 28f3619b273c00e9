// What `import … from 'gradscope'` gives a user's training script: a PyTorch-like API in
// camelCase (keyword arguments become one options object; classes use `new`).

export { Tensor, type Operand } from './tensor';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, rand, randn, randint, type TensorOptions, type CreateOptions } from './creation';
export { manualSeed, Generator } from './random';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode';
export { OpError } from './shape';
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, abs, clamp, relu, leakyRelu, gelu, sigmoid, tanh,
  gt, lt, ge, le, eq, where,
} from './ops/elementwise';
export { sum, mean, max, min, argmax, argmin, variance as var, std } from './ops/reduce';
export { reshape, transpose, permute, flatten, squeeze, unsqueeze, select, narrow, cat, stack, expand, gather } from './ops/shape-ops';
export { matmul } from './ops/matmul';
export { softmax, logSoftmax } from './ops/softmax';
export { conv2d, type Conv2dOptions } from './ops/conv';
export { maxPool2d, avgPool2d, type MaxPool2dOptions, type AvgPool2dOptions } from './ops/pool';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from './ops/norm';
export { embedding, type EmbeddingOptions } from './ops/embedding';
export { gradcheck, type GradcheckOptions } from './gradcheck';
export * as nn from './nn';
export * as optim from './optim';
