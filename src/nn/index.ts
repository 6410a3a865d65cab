// The nn namespace: Module, layers, functional, init.
export { Module } from "./module.js";
export {
  Linear,
  Conv2d,
  ConvTranspose2d,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  Embedding,
  MaxPool2d,
  AvgPool2d,
  GlobalAvgPool2d,
  Flatten,
  ReLU,
  Sigmoid,
  Tanh,
  LeakyReLU,
  ELU,
  GELU,
  SiLU,
  Softplus,
  Identity,
  Softmax,
  Dropout,
  Sequential,
  ModuleList,
  type BatchNormOptions,
} from "./layers.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
