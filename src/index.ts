// The public API (re-exports only).
export { init, getBackend, supportedBuilds, type InitOptions, type BackendName, type WasmBuild } from "./backend/index.js";
export { Tensor, isTensor, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, rand, randn, arange, type CreateOptions, type TensorOptions } from "./creation.js";
export { manualSeed } from "./random.js";
export { tidy, keep, memory, type MemoryInfo } from "./memory.js";
export { noGrad, isGradEnabled } from "./autograd/grad-mode.js";
export { add, sub, mul, div, pow } from "./ops/binary.js";
export { neg, exp, log, sqrt, relu, sigmoid, tanh } from "./ops/unary.js";
export { sum, mean, max, argmax } from "./ops/reduce.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { matmul } from "./ops/matmul.js";
export { reshape, flatten, transpose, detach, clone } from "./ops/shape.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as io from "./io/index.js";
export { fit, type FitOptions, type FitResult, type StopReason } from "./train/fit.js";
export { referenceModel, takesImages, MODEL_NAMES, type ModelName } from "./models/reference.js";
export * as data from "./data/index.js";
