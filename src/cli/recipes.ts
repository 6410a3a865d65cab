// Recipes: named sets of options that reproduce a published result, given as
// the text the command line would give (an option given explicitly wins),
// and the augmentation each recipe uses.
import type { data } from "../index.js";

export interface Recipe {
  /** What it reproduces, for the help and the run's first line. */
  about: string;
  /** Option values as on the command line (flags as true). */
  options: Record<string, string | true>;
  augment: data.AugmentOptions;
}

/**
 * Ciresan, Meier, Gambardella, Schmidhuber (2010), Table 1 row 1, as
 * re-implementations quote the paper (docs/CIRESAN.md says which values we
 * could check against its text): the 784-1000-500-10 MLP with scaled tanh,
 * inputs in [-1, 1], online gradient descent (batch 1) from 1e-3 decayed per
 * epoch, deformations drawn afresh for every image of every epoch, 10,000
 * training images held out for validation.
 */
const CIRESAN_DEFORMATIONS: data.AugmentOptions = {
  shift: 0,
  rotate: 15,
  shear: Math.tan((15 * Math.PI) / 180),
  scale: 0.15,
  elastic: { alpha: 36, sigma: 6 },
  classes: { 1: { rotate: 7.5, shear: Math.tan((7.5 * Math.PI) / 180) }, 7: { rotate: 7.5, shear: Math.tan((7.5 * Math.PI) / 180) } },
};

export const RECIPES: Record<string, Recipe> = {
  ciresan2010: {
    about: "Ciresan et al. 2010, Table 1 row 1: online backpropagation, as the paper trained",
    options: {
      model: "mlp-ciresan",
      optimizer: "sgd",
      momentum: "0",
      lr: "0.001",
      schedule: "exponential",
      "lr-decay": "0.95",
      "batch-size": "1",
      augment: true,
      inputs: "symmetric",
      validation: "10000",
      epochs: "80",
    },
    augment: CIRESAN_DEFORMATIONS,
  },
  "ciresan2010-minibatch": {
    about: "the same network and deformations with mini-batches of 64, SGD momentum 0.9 and a cosine schedule (more epochs an hour)",
    options: {
      model: "mlp-ciresan",
      optimizer: "sgd",
      momentum: "0.9",
      lr: "0.02",
      schedule: "cosine",
      "batch-size": "64",
      augment: true,
      inputs: "symmetric",
      validation: "10000",
      epochs: "900",
    },
    augment: CIRESAN_DEFORMATIONS,
  },
};

export const RECIPE_NAMES = Object.keys(RECIPES);
