// The optim namespace.
export { Optimizer, type OptimizerStateDict, type Hyperparameter } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adadelta, Adagrad, type AdadeltaOptions, type AdagradOptions } from "./adadelta.js";
export {
  LRScheduler,
  StepLR,
  ExponentialLR,
  CosineAnnealingLR,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type SchedulerStateDict,
} from "./scheduler.js";
