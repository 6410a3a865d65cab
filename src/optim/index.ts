// The optim namespace.
export { Optimizer } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR } from "./scheduler.js";
