// What the commands share: messages, exit statuses, the defaults, the data.
import { data } from "../index.js";
import type { ModelName } from "../models/reference.js";
import { thousands } from "../format.js";
import type { Args } from "./options.js";

export function warn(message: string): void {
  process.stderr.write(`wasmgrad: warning: ${message}\n`);
}

/** Exit 2 for a mistake in the command line, 1 for a failure while running. */
export function fail(message: string, code = 2): never {
  process.stderr.write(`wasmgrad: ${message}\n`);
  process.exit(code);
}

/** What train and bench run when the command line does not say. */
export const DEFAULT_MODEL: ModelName = "cnn-m";
export const DEFAULT_DATASET: data.DatasetName = "mnist";

/** The dataset, cut to --limit and --test-limit. */
export async function loadData(name: data.DatasetName, a: Args, log: (m: string) => void) {
  const d = await data.loadMnist({ name, dir: a.dataDir, log });
  const train = a.limit ? data.subset(d.train, a.limit) : d.train;
  const test = a.testLimit ? data.subset(d.test, a.testLimit) : d.test;
  log(`${name}: ${thousands(train.count)} train / ${thousands(test.count)} test images from ${d.source}`);
  return { d, train, test };
}
