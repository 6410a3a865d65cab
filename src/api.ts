// The public API, whatever the entry point (re-exports, and the Tensor
// methods attached once).
import "./tensor-methods.js";
export { init, getBackend, getThreads, supportedBuilds, type InitOptions, type BackendName, type WasmBuild } from "./backend/index.js";
export { Tensor, isTensor, type NestedArray } from "./tensor.js";
export { tensor, zeros, ones, full, rand, randn, arange, type CreateOptions, type TensorOptions } from "./creation.js";
export { manualSeed, getRngState, setRngState, type RngState } from "./random.js";
export { tidy, keep, memory, type MemoryInfo } from "./tidy.js";
export { noGrad, isGradEnabled } from "./autograd/grad-mode.js";
export type { BackwardOptions } from "./autograd/backward.js";
export { add, sub, mul, div, pow, type Operand } from "./ops/binary.js";
export { neg, exp, log, sqrt, relu, sigmoid, tanh } from "./ops/unary.js";
export { sum, mean, max, argmax, min, variance as var, std, logsumexp } from "./ops/reduce.js";
export { abs, clamp, erf } from "./ops/activation.js";
export { maximum, minimum, where, eq, ne, gt, ge, lt, le } from "./ops/compare.js";
export { softmax, logSoftmax } from "./ops/softmax.js";
export { matmul } from "./ops/matmul.js";
export { reshape, flatten, transpose, detach, clone, permute, unsqueeze, squeeze, expand } from "./ops/layout.js";
export { cat, stack, narrow, split, chunk } from "./ops/slice.js";
export { indexSelect, gather, type IndexLike } from "./ops/indexing.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as io from "./io/index.js";
export { fit, type FitOptions, type FitResult, type StopReason, type BatchInfo, type EpochInfo } from "./train/fit.js";
export { trainStep, type TrainBatch, type StepOptions, type StepResult } from "./train/step.js";
export { evaluate, type Evaluation } from "./train/evaluate.js";
export {
  planTraining,
  inputScaling,
  RECIPES,
  RECIPE_NAMES,
  type TrainingPlan,
  type TrainingRun,
  type Recipe,
  type RecipeName,
  type OptimizerName,
  type ScheduleName,
  type InputScaling,
} from "./train/recipe.js";
export { referenceModel, takesImages, MODEL_NAMES, ALL_MODEL_NAMES, type ModelName } from "./models/reference.js";
export * as data from "./data/index.js";
export * as bench from "./bench/index.js";
