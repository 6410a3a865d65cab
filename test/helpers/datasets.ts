// The full datasets, found the way the library finds them ($WASMGRAD_DATA,
// the cache, /usr/share/datasets; CI sets WASMGRAD_DATA=../shared/data). A
// test that needs one that is not there is skipped, and the summary says why.
import { existsSync } from "node:fs";
import type { TestContext } from "vitest";
import { data } from "../../src/index.js";

const found: Partial<Record<data.DatasetName, string>> = {
  mnist: await data.findMnist({ name: "mnist" }),
  "fashion-mnist": await data.findMnist({ name: "fashion-mnist" }),
};

/** The folder holding the full dataset, or undefined. */
export function datasetDir(name: data.DatasetName): string | undefined {
  return found[name];
}

/** The folder holding the full dataset; skips the test (with the reason) when there is none. */
export function needDataset(ctx: TestContext, name: data.DatasetName): string {
  const dir = found[name];
  if (dir === undefined) return ctx.skip(`needs the full ${name} (set WASMGRAD_DATA to a folder that holds ${name}/)`);
  return dir;
}

/**
 * The system's dataset folder (/usr/share/datasets/<name>) holds the full
 * dataset: the library always reads it, so a test that needs the offline
 * sample to be used cannot run here, and says so.
 */
export const SYSTEM_HAS_MNIST =
  existsSync("/usr/share/datasets/mnist/train-images-idx3-ubyte.gz") || existsSync("/usr/share/datasets/mnist/train-images-idx3-ubyte");
export const NEEDS_NO_SYSTEM_MNIST =
  "this machine has MNIST in /usr/share/datasets/mnist, which the library always reads: the offline sample would not be used";
