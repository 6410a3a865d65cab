// The nn namespace: Module, layers, functional, init.
export { Module } from "./module.js";
export {
  Linear,
  Conv2d,
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
} from "./layers.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
