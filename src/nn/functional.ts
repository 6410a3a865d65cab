// nn.functional: the ops layers are built from (PyTorch semantics).
export { linear } from "../ops/linear.js";
export { conv2d, convTranspose2d, type Conv2dOptions, type ConvTranspose2dOptions } from "../ops/conv.js";
export { batchNorm, layerNorm, type BatchNormOptions } from "../ops/norm.js";
export { embedding } from "../ops/indexing.js";
export { maxPool2d, avgPool2d, globalAvgPool2d, type Pool2dOptions } from "../ops/pool.js";
export { relu, sigmoid, tanh } from "../ops/unary.js";
export { leakyRelu, elu, gelu, silu, softplus } from "../ops/activation.js";
export { softmax, logSoftmax } from "../ops/softmax.js";
export { crossEntropy, nllLoss, mseLoss, binaryCrossEntropy, type LossOptions, type Reduction } from "../ops/loss.js";
export { dropout } from "../ops/dropout.js";
export { pad } from "../ops/slice.js";
