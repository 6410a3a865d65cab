// The runnable examples in examples/ run and print what they promise
// (on the offline sample: the tests never download).
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NEEDS_NO_SYSTEM_MNIST, SYSTEM_HAS_MNIST } from "./helpers/datasets.js";

const root = join(import.meta.dirname, "..");
const env = {
  ...process.env,
  WASMGRAD_OFFLINE: "1",
  WASMGRAD_DATA: join(root, "no-data-here"),
  XDG_CACHE_HOME: join(root, "no-cache-here"),
};
const run = (file: string) =>
  execFileSync(process.execPath, [join(root, "examples", file)], { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("examples", () => {
  it("quickstart.mjs prints a loss and a gradient", () => {
    const out = run("quickstart.mjs");
    expect(out).toMatch(/backend: wasm-/);
    expect(out).toMatch(/loss: \d/);
    expect(out).toMatch(/w\.grad: \[/);
  });

  it("train-mnist.mjs trains CNN-M through fit() and prints progress and the test accuracy", (ctx) => {
    if (SYSTEM_HAS_MNIST) ctx.skip(NEEDS_NO_SYSTEM_MNIST);
    const out = run("train-mnist.mjs");
    expect(out).toMatch(/batch 100\/125: loss \d\.\d{4}/);
    const accuracy = Number(/epoch 1: train loss \d\.\d{4}, test accuracy (\d+\.\d\d)%/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThan(90);
  }, 120_000);
});
