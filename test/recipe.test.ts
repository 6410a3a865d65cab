// planTraining and the recipes from the API: what a plan builds (model,
// optimizer, schedule, the validation split, the input scaling), that fit()
// trains it, and the errors for a plan that cannot be built.
import { describe, expect, it } from "vitest";
import { data, fit, init, manualSeed, optim, planTraining, RECIPES, RECIPE_NAMES, type TrainingPlan } from "../src/index.js";

/** `count` 28x28 images whose label is the brightest of ten bands: learnable, and every image told apart by its first pixel. */
function bands(count: number): data.ImageDataset {
  const images = new Uint8Array(count * 784),
    labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = (i * 7) % 10;
    for (let k = 0; k < 784; k++) images[i * 784 + k] = Math.floor(k / 78.4) === labels[i] ? 250 : (i + k) % 40;
    images[i * 784] = i % 256;
  }
  return { images, labels, count, rows: 28, cols: 28 };
}

describe("planTraining", () => {
  it("builds the Ciresan recipes: 784-1000-500-10, their optimizer and schedule, the last images held out, inputs in [-1, 1]", async () => {
    await init({ backend: "wasm" });
    expect(RECIPE_NAMES).toEqual(["ciresan2010", "ciresan2010-minibatch"]);
    const all = bands(300),
      test = bands(50);
    manualSeed(1);
    const online = planTraining({ ...RECIPES.ciresan2010, validation: 100 }, all, test);
    expect(online.model.numParameters()).toBe(785 * 1000 + 1001 * 500 + 501 * 10);
    expect(online.optimizer).toBeInstanceOf(optim.SGD);
    expect(online.scheduler).toBeInstanceOf(optim.ExponentialLR);
    expect([online.optimizer.lr, online.fitOptions.schedulerEvery, online.train.length]).toEqual([0.001, "epoch", 200]);
    // the validation loader holds the last 100 images, unshuffled, scaled to [-1, 1]
    const held = [...online.validation!].flatMap((b) => {
      const x = b.x.data();
      return Array.from({ length: b.size }, (_, i) => x[i * 784]);
    });
    const expected = Array.from({ length: 100 }, (_, i) => ((200 + i) % 256) / 127.5 - 1);
    expect(held.every((v, i) => Math.abs(v - expected[i]) < 1e-6)).toBe(true);
    online.dispose();
    const mini = planTraining({ ...RECIPES["ciresan2010-minibatch"], validation: 100, epochs: 3 }, all, test);
    expect(mini.scheduler).toBeInstanceOf(optim.CosineAnnealingLR);
    expect([mini.optimizer.lr, mini.fitOptions.schedulerEvery, mini.train.length, mini.fitOptions.epochs]).toEqual([0.02, "step", 4, 3]);
    mini.dispose();
  });

  it("gives fit() a plan that learns", async () => {
    await init({ backend: "wasm" });
    manualSeed(2);
    const plan: TrainingPlan = { ...RECIPES["ciresan2010-minibatch"], model: "mlp-s", epochs: 3, validation: 0, augment: false };
    const run = planTraining(plan, bands(640), bands(200));
    const r = await fit(run.model, run.fitOptions);
    expect(run.validation).toBeNull();
    expect(r.testAccuracies.at(-1)).toBeGreaterThan(0.9);
    run.dispose();
  });

  it("refuses a plan it cannot build, naming what is wrong", async () => {
    await init({ backend: "wasm" });
    const base = RECIPES["ciresan2010-minibatch"];
    const ds = bands(20);
    expect(() => planTraining({ ...base, validation: 20 }, ds, ds)).toThrow(
      /planTraining: validation must hold out from 0 to 19 of the 20 training images, got 20/,
    );
    expect(() => planTraining({ ...base, epochs: 0 }, ds, ds)).toThrow(/planTraining: epochs must be a whole number of at least 1, got 0/);
    expect(() => planTraining({ ...base, model: "vgg" as "mlp-s" }, ds, ds)).toThrow(/planTraining: unknown model 'vgg'/);
    expect(() => planTraining({ ...base, optimizer: "lbfgs" as "sgd" }, ds, ds)).toThrow(/planTraining: unknown optimizer 'lbfgs'/);
  });
});
