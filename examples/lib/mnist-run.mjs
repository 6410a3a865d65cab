// What the four ported scripts share, as their originals share a training
// loop: the command line (--epochs, --limit, --threads, --seed, --json), MNIST
// in DataLoaders with the script's normalisation, and fit() printing each
// epoch's test accuracy and time. With --json the last line is the run as
// JSON (bench/ports.mjs compares it with the PyTorch twin's).
import { parseArgs } from "node:util";
import { init, getBackend, getThreads, manualSeed, data, fit } from "wasmgrad";

export function options(defaults) {
  const usage = `options: --epochs N (default ${defaults.epochs}), --limit N (training images), --test-limit N, --threads N, --seed N (default 1), --json`;
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        epochs: { type: "string", default: String(defaults.epochs) },
        limit: { type: "string" },
        "test-limit": { type: "string" },
        threads: { type: "string" },
        seed: { type: "string", default: "1" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`${e.message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (v) => (v === undefined ? undefined : Number.parseInt(v, 10));
  return {
    epochs: int(values.epochs),
    limit: int(values.limit),
    testLimit: int(values["test-limit"]),
    threads: int(values.threads),
    seed: int(values.seed),
    json: values.json,
  };
}

/** Starts the backend and returns MNIST's loaders, normalised as (p / 255 - mean) / std. */
export async function mnist(o, { batchSize, testBatchSize = 1000, mean, std }) {
  await init(o.threads ? { threads: o.threads } : {});
  manualSeed(o.seed);
  const { train, test, source } = await data.loadMnist();
  const cut = (d, n) => (n ? data.subset(d, n) : d);
  const trainSet = cut(train, o.limit),
    testSet = cut(test, o.testLimit);
  if (!o.json)
    console.log(`MNIST from ${source}: ${trainSet.count} training, ${testSet.count} test images; ${getBackend()}, ${getThreads()} threads`);
  return {
    train: new data.DataLoader(trainSet, { batchSize, mean, std }),
    test: new data.DataLoader(testSet, { batchSize: testBatchSize, mean, std, shuffle: false }),
  };
}

/** fit() for `epochs`, printing each epoch (or, with --json, the whole run at the end). */
export async function run(name, model, o, loaders, fitOptions) {
  const epochs = [];
  const result = await fit(model, {
    epochs: o.epochs,
    data: loaders.train,
    test: loaders.test,
    ...fitOptions,
    onEpoch: (e) => {
      epochs.push({ epoch: e.epoch, loss: e.loss, seconds: e.seconds, testAccuracy: e.test.accuracy });
      if (!o.json) {
        console.log(
          `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}, test accuracy ${(100 * e.test.accuracy).toFixed(2)}%, ${e.seconds.toFixed(1)} s`,
        );
      }
    },
  });
  if (o.json)
    console.log(JSON.stringify({ script: name, engine: "wasmgrad", backend: getBackend(), threads: getThreads(), seed: o.seed, epochs }));
  return result;
}
