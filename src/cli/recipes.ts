// The library's recipes (src/train/recipe.ts) as the command line would give
// them: `--recipe NAME` stands in for the options not given.
import { RECIPES, RECIPE_NAMES, type Recipe, type RecipeName } from "../train/recipe.js";

export { RECIPES, RECIPE_NAMES, type RecipeName };

/** A recipe's values as option texts (flags as true). */
export function recipeOptions(name: RecipeName): Record<string, string | true> {
  const r: Recipe = RECIPES[name];
  return {
    model: r.model,
    optimizer: r.optimizer,
    lr: String(r.lr),
    momentum: String(r.momentum),
    schedule: r.schedule,
    "lr-decay": String(r.lrDecay),
    "batch-size": String(r.batchSize),
    epochs: String(r.epochs),
    inputs: r.inputs,
    validation: String(r.validation),
    ...(r.augment !== false && { augment: true as const }),
  };
}
