// A training run as data (model, optimizer, schedule, batches, augmentation,
// input scaling, validation split), the parts it builds, and the published
// runs as recipes: the one description `wasmgrad train`, the demo and
// anyone's code build a run from.
import { DataLoader, type Batch } from "../data/loader.js";
import { subset, type ImageDataset } from "../data/dataset.js";
import type { AugmentOptions } from "../data/augment.js";
import { referenceModel, takesImages, ALL_MODEL_NAMES, type ModelName } from "../models/reference.js";
import type { Sequential } from "../nn/layers.js";
import { SGD, Adam, AdamW, RMSprop, type Optimizer } from "../optim/index.js";
import { CosineAnnealingLR, ExponentialLR, type LRScheduler } from "../optim/scheduler.js";

export type OptimizerName = "sgd" | "adam" | "adamw" | "rmsprop";
export type ScheduleName = "cosine" | "exponential" | "none";
/** Pixels minus MNIST's mean over its deviation, or scaled to [-1, 1]. */
export type InputScaling = "standardized" | "symmetric";

export interface TrainingPlan {
  model: ModelName;
  optimizer: OptimizerName;
  lr: number;
  /** SGD's momentum. */
  momentum: number;
  /** cosine: anneal to 0 over all steps; exponential: times lrDecay after every epoch. */
  schedule: ScheduleName;
  lrDecay: number;
  batchSize: number;
  epochs: number;
  /** The DataLoader's augmentation (false: none). */
  augment: boolean | AugmentOptions;
  inputs: InputScaling;
  /** Training images held out (the last ones) to validate on; 0: none. */
  validation: number;
}

/** What planTraining builds: give its fitOptions to fit(), and dispose() when done. */
export interface TrainingRun {
  model: Sequential;
  optimizer: Optimizer;
  scheduler: LRScheduler | null;
  train: DataLoader;
  /** The held-out images (null without validation). */
  validation: DataLoader | null;
  test: DataLoader;
  /** fit()'s options for the whole plan: optimizer, epochs, data, scheduler, test. */
  fitOptions: {
    optimizer: Optimizer;
    epochs: number;
    data: DataLoader;
    scheduler?: LRScheduler;
    schedulerEvery: "step" | "epoch";
    test: Iterable<Batch>;
  };
  /** Frees the loaders' memory (the model and optimizer stay). */
  dispose(): void;
}

/** The DataLoader's normalisation for an input scaling. */
export function inputScaling(inputs: InputScaling): { mean?: number; std?: number } {
  return inputs === "symmetric" ? { mean: 0.5, std: 0.5 } : {};
}

function makeOptimizer(p: TrainingPlan, params: ReturnType<Sequential["parameters"]>): Optimizer {
  switch (p.optimizer) {
    case "sgd":
      return new SGD(params, { lr: p.lr, momentum: p.momentum });
    case "adam":
      return new Adam(params, { lr: p.lr });
    case "adamw":
      return new AdamW(params, { lr: p.lr });
    case "rmsprop":
      return new RMSprop(params, { lr: p.lr });
  }
}

/**
 * The model, optimizer, scheduler and loaders of a plan over `train` (the
 * last plan.validation images held out) and `test`. The model's weights come
 * from the library's generator: seed it first (manualSeed) to repeat a run;
 * or give `options.model` (plan.model's architecture) to train on from where
 * it is.
 */
export function planTraining(
  plan: TrainingPlan,
  train: ImageDataset,
  test: ImageDataset,
  options: { model?: Sequential } = {},
): TrainingRun {
  const fail = (what: string) => {
    throw new RangeError(`planTraining: ${what}`);
  };
  if (!ALL_MODEL_NAMES.includes(plan.model)) fail(`unknown model '${plan.model}' (expected one of ${ALL_MODEL_NAMES.join(", ")})`);
  if (!["sgd", "adam", "adamw", "rmsprop"].includes(plan.optimizer)) fail(`unknown optimizer '${plan.optimizer}'`);
  if (!["cosine", "exponential", "none"].includes(plan.schedule)) fail(`unknown schedule '${plan.schedule}'`);
  if (!Number.isInteger(plan.epochs) || plan.epochs < 1) fail(`epochs must be a whole number of at least 1, got ${plan.epochs}`);
  if (!Number.isInteger(plan.validation) || plan.validation < 0 || plan.validation >= train.count)
    fail(`validation must hold out from 0 to ${train.count - 1} of the ${train.count} training images, got ${plan.validation}`);
  // the model first: its weights are the generator's first draws, as they always were
  const model = options.model ?? referenceModel(plan.model);
  const optimizer = makeOptimizer(plan, model.parameters());
  const flat = !takesImages(plan.model);
  const scaling = inputScaling(plan.inputs);
  const kept = plan.validation ? subset(train, train.count - plan.validation) : train;
  const trainLoader = new DataLoader(kept, { batchSize: plan.batchSize, flat, augment: plan.augment, ...scaling });
  // evaluations reuse the training batches' heap blocks when they are as large, at least 64
  const evalBatch = Math.max(64, plan.batchSize);
  const testLoader = new DataLoader(test, { batchSize: evalBatch, flat, shuffle: false, ...scaling });
  const validation = plan.validation
    ? new DataLoader(lastImages(train, plan.validation), { batchSize: evalBatch, flat, shuffle: false, ...scaling })
    : null;
  const scheduler =
    plan.schedule === "cosine"
      ? new CosineAnnealingLR(optimizer, plan.epochs * trainLoader.length)
      : plan.schedule === "exponential"
        ? new ExponentialLR(optimizer, plan.lrDecay)
        : null;
  return {
    model,
    optimizer,
    scheduler,
    train: trainLoader,
    validation,
    test: testLoader,
    fitOptions: {
      optimizer,
      epochs: plan.epochs,
      data: trainLoader,
      ...(scheduler && { scheduler }),
      schedulerEvery: plan.schedule === "exponential" ? "epoch" : "step",
      test: testLoader,
    },
    dispose() {
      trainLoader.dispose();
      testLoader.dispose();
      validation?.dispose();
    },
  };
}

/** The last `count` images of a dataset (the validation set the paper holds out). */
function lastImages(d: ImageDataset, count: number): ImageDataset {
  const P = d.rows * d.cols,
    start = d.count - count;
  return { ...d, images: d.images.subarray(start * P, d.count * P), labels: d.labels.subarray(start, d.count), count };
}

/** A published run: its plan, and what it reproduces. */
export interface Recipe extends TrainingPlan {
  about: string;
}

/**
 * Ciresan, Meier, Gambardella, Schmidhuber (2010)'s deformations as
 * re-implementations quote the paper (docs/CIRESAN.md says which values we
 * could check against its text): rotation and horizontal shear up to 15
 * degrees (7.5 for 1s and 7s), scaling up to 15%, elastic alpha 36, sigma 6.
 */
const CIRESAN_DEFORMATIONS: AugmentOptions = {
  shift: 0,
  rotate: 15,
  shear: Math.tan((15 * Math.PI) / 180),
  scale: 0.15,
  elastic: { alpha: 36, sigma: 6 },
  classes: { 1: { rotate: 7.5, shear: Math.tan((7.5 * Math.PI) / 180) }, 7: { rotate: 7.5, shear: Math.tan((7.5 * Math.PI) / 180) } },
};

export const RECIPES = {
  /**
   * Table 1 row 1: the 784-1000-500-10 MLP with scaled tanh, inputs in
   * [-1, 1], online gradient descent (batch 1) from 1e-3 decayed per epoch,
   * deformations drawn afresh for every image of every epoch, 10,000
   * training images held out for validation.
   */
  ciresan2010: {
    about: "Ciresan et al. 2010, Table 1 row 1: online backpropagation, as the paper trained",
    model: "mlp-ciresan",
    optimizer: "sgd",
    lr: 0.001,
    momentum: 0,
    schedule: "exponential",
    lrDecay: 0.95,
    batchSize: 1,
    epochs: 80,
    augment: CIRESAN_DEFORMATIONS,
    inputs: "symmetric",
    validation: 10000,
  },
  /** The same network and deformations, trained the modern way: more epochs an hour on a CPU. */
  "ciresan2010-minibatch": {
    about: "the same network and deformations with mini-batches of 64, SGD momentum 0.9 and a cosine schedule (more epochs an hour)",
    model: "mlp-ciresan",
    optimizer: "sgd",
    lr: 0.02,
    momentum: 0.9,
    schedule: "cosine",
    lrDecay: 1,
    batchSize: 64,
    epochs: 900,
    augment: CIRESAN_DEFORMATIONS,
    inputs: "symmetric",
    validation: 10000,
  },
} satisfies Record<string, Recipe>;

export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];
