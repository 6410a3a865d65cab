#!/usr/bin/env node
// The `wasmgrad` command: train, eval and bench on MNIST-family data.
import { parseArgs } from "node:util";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { init, getBackend, supportedBuilds, manualSeed, tidy, noGrad, randn, memory } from "../index.js";
import { nn, optim, io, data, type Tensor } from "../index.js";
import { referenceModel, takesImages, MODEL_NAMES, type ModelName } from "../models/reference.js";
import { evaluate } from "../train/evaluate.js";
import { Progress, thousands } from "./progress.js";

const HELP = `usage: wasmgrad <command> [options]

commands:
  train   train a reference model on an MNIST-family dataset
  eval    report test accuracy and the confusion matrix of saved weights
  bench   training samples/s of a model on every backend

options (train, eval):
  --dataset mnist|fashion-mnist|kmnist   (default mnist)
  --model mlp-s|mlp-l|lenet5|cnn-m       (default cnn-m)
  --data-dir DIR        read the four IDX files from DIR
  --backend wasm|js     (default wasm: the best build this runtime runs)
  --build relaxed-simd|simd|scalar
  --batch-size N        (default 64)
  --json                print a machine-readable summary on stdout
train:
  --epochs N            (default 1)
  --optimizer sgd|adam|adamw|rmsprop   (default sgd)
  --lr X                (default 0.01 for sgd, 0.001 otherwise)
  --momentum X          (sgd, default 0.9)
  --schedule none|cosine   cosine: anneal the learning rate to 0 over all steps (default none)
  --augment             random shifts, small affine transforms, elastic distortions
  --save FILE           write the weights as safetensors (also after Ctrl-C)
  --seed N              (default 1): the same seed repeats the same run
  --limit N             train on the first N images only
  --test-limit N        test on the first N images only
eval:
  --weights FILE        safetensors written by train --save
bench:
  --model NAME, --steps N (default 30)

Ctrl-C during training stops after the current batch and still saves.`;

interface Args {
  dataset: data.DatasetName;
  model: ModelName;
  dataDir?: string;
  backend: "wasm" | "js";
  build?: "relaxed-simd" | "simd" | "scalar";
  batchSize: number;
  epochs: number;
  optimizer: string;
  lr?: number;
  momentum: number;
  schedule: "none" | "cosine";
  augment: boolean;
  save?: string;
  weights?: string;
  seed: number;
  limit?: number;
  testLimit?: number;
  steps: number;
  json: boolean;
}

function fail(message: string): never {
  process.stderr.write(`wasmgrad: ${message}\n`);
  process.exit(2);
}

function parse(argv: string[]): [string, Args] {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        dataset: { type: "string", default: "mnist" }, model: { type: "string", default: "cnn-m" },
        "data-dir": { type: "string" }, backend: { type: "string", default: "wasm" }, build: { type: "string" },
        "batch-size": { type: "string", default: "64" }, epochs: { type: "string", default: "1" },
        optimizer: { type: "string", default: "sgd" }, lr: { type: "string" }, momentum: { type: "string", default: "0.9" },
        schedule: { type: "string", default: "none" },
        augment: { type: "boolean", default: false }, save: { type: "string" }, weights: { type: "string" },
        seed: { type: "string", default: "1" }, limit: { type: "string" }, "test-limit": { type: "string" },
        steps: { type: "string", default: "30" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n\n${HELP}`);
  }
  const v = parsed.values;
  const command = parsed.positionals[0];
  if (v.help || !command) {
    process.stdout.write(HELP + "\n");
    process.exit(command || v.help ? 0 : 2);
  }
  const int = (name: string, s: string | undefined, min: number): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got '${s}'`);
    return n;
  };
  const num = (name: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a non-negative number, got '${s}'`);
    return n;
  };
  const oneOf = <T extends string>(name: string, s: string, allowed: readonly T[]): T => {
    if (!allowed.includes(s as T)) fail(`--${name} must be one of ${allowed.join(", ")}, got '${s}'`);
    return s as T;
  };
  return [
    command,
    {
      dataset: oneOf("dataset", v.dataset!, ["mnist", "fashion-mnist", "kmnist"] as const),
      model: oneOf("model", v.model!, MODEL_NAMES),
      dataDir: v["data-dir"],
      backend: oneOf("backend", v.backend!, ["wasm", "js"] as const),
      build: v.build === undefined ? undefined : oneOf("build", v.build, ["relaxed-simd", "simd", "scalar"] as const),
      batchSize: int("batch-size", v["batch-size"], 1)!,
      epochs: int("epochs", v.epochs, 1)!,
      optimizer: oneOf("optimizer", v.optimizer!, ["sgd", "adam", "adamw", "rmsprop"] as const),
      lr: num("lr", v.lr),
      momentum: num("momentum", v.momentum)!,
      schedule: oneOf("schedule", v.schedule!, ["none", "cosine"] as const),
      augment: v.augment!,
      save: v.save,
      weights: v.weights,
      seed: int("seed", v.seed, 0)!,
      limit: int("limit", v.limit, 1),
      testLimit: int("test-limit", v["test-limit"], 1),
      steps: int("steps", v.steps, 1)!,
      json: v.json!,
    },
  ];
}

function makeOptimizer(a: Args, params: Tensor[]): optim.Optimizer {
  switch (a.optimizer) {
    case "sgd": return new optim.SGD(params, { lr: a.lr ?? 0.01, momentum: a.momentum });
    case "adam": return new optim.Adam(params, { lr: a.lr ?? 0.001 });
    case "adamw": return new optim.AdamW(params, { lr: a.lr ?? 0.001 });
    default: return new optim.RMSprop(params, { lr: a.lr ?? 0.001 });
  }
}

async function loadData(a: Args, log: (m: string) => void) {
  const d = await data.loadMnist({ name: a.dataset, dir: a.dataDir, log });
  const train = a.limit ? data.subset(d.train, a.limit) : d.train;
  const test = a.testLimit ? data.subset(d.test, a.testLimit) : d.test;
  log(`${a.dataset}: ${thousands(train.count)} train / ${thousands(test.count)} test images from ${d.source}`);
  return { d, train, test };
}

async function train(a: Args): Promise<void> {
  const log = (m: string) => process.stderr.write(m + "\n");
  const status = a.json ? process.stderr : process.stdout;
  await init({ backend: a.backend, build: a.build });
  manualSeed(a.seed);
  const { d, train, test } = await loadData(a, log);
  const model = referenceModel(a.model);
  const opt = makeOptimizer(a, model.parameters());
  const flat = !takesImages(a.model);
  const trainLoader = new data.DataLoader(train, { batchSize: a.batchSize, flat, augment: a.augment });
  // the training batch size: evaluation reuses the heap blocks of training
  const testLoader = new data.DataLoader(test, { batchSize: a.batchSize, flat, shuffle: false });
  const schedule = a.schedule === "cosine" ? new optim.CosineAnnealingLR(opt, a.epochs * trainLoader.length) : null;
  status.write(`training ${a.model} (${thousands(model.numParameters())} parameters) on ${getBackend()}, ` +
    `${a.optimizer} lr ${opt.lr}${schedule ? " (cosine)" : ""}, batch ${a.batchSize}, ${a.epochs} epoch(s)${a.augment ? ", augmented" : ""}, seed ${a.seed}\n`);

  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write("\nstopping after this batch (Ctrl-C again to quit now)\n");
  };
  process.on("SIGINT", onSigint);
  const t0 = performance.now();
  const epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number; samplesPerSecond: number }[] = [];
  const losses: number[] = [];
  // The loop is synchronous: yield to the event loop now and then so Ctrl-C gets through.
  let lastYield = performance.now();
  const yieldNow = () => new Promise<void>((r) => setImmediate(r));
  for (let epoch = 1; epoch <= a.epochs && !stop; epoch++) {
    const e0 = performance.now();
    const bar = new Progress(status, `epoch ${epoch}/${a.epochs}`, trainLoader.length);
    let lossSum = 0, correct = 0, seen = 0, batches = 0;
    for (const { x, y, size } of trainLoader) {
      const [loss, pred] = tidy(() => {
        opt.zeroGrad();
        const logits = model.forward(x);
        const l = nn.functional.crossEntropy(logits, y);
        l.backward();
        opt.step();
        return [l.item(), noGrad(() => logits.argmax(1).data())] as const;
      });
      schedule?.step();
      for (let i = 0; i < size; i++) if (pred[i] === y[i]) correct++;
      lossSum += loss * size;
      seen += size;
      losses.push(loss);
      batches++;
      if (!Number.isFinite(loss)) {
        bar.finish();
        fail(`the loss became ${loss} at epoch ${epoch}, batch ${batches}: lower the learning rate`);
      }
      bar.update(batches, seen, lossSum / seen, correct / seen);
      if (performance.now() - lastYield > 50) {
        await yieldNow();
        lastYield = performance.now();
      }
      if (stop) break;
    }
    bar.finish();
    const seconds = (performance.now() - e0) / 1000;
    const ev = evaluate(model, testLoader);
    epochs.push({ epoch, loss: lossSum / seen, trainAccuracy: correct / seen, testAccuracy: ev.accuracy, seconds, samplesPerSecond: seen / seconds });
    status.write(`epoch ${epoch}: train loss ${(lossSum / seen).toFixed(4)}, train accuracy ${(100 * correct / seen).toFixed(2)}%, ` +
      `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count}), ${seconds.toFixed(1)} s\n`);
  }
  process.off("SIGINT", onSigint);
  const total = (performance.now() - t0) / 1000;
  if (a.save) {
    writeFileSync(a.save, io.saveSafetensors(model.stateDict(), { model: a.model, dataset: a.dataset }));
    status.write(`saved ${a.save}\n`);
  }
  const last = epochs[epochs.length - 1];
  status.write(`${stop ? "stopped early; " : ""}total ${total.toFixed(1)} s; test accuracy ${last ? (100 * last.testAccuracy).toFixed(2) + "%" : "n/a"}` +
    `${d.sample ? " (on the offline 10k-digit sample, not the full MNIST)" : ""}\n`);
  if (a.json) {
    process.stdout.write(JSON.stringify({
      model: a.model, dataset: a.dataset, sample: d.sample, backend: getBackend(), optimizer: a.optimizer, lr: a.lr ?? (a.optimizer === "sgd" ? 0.01 : 0.001), schedule: a.schedule,
      batchSize: a.batchSize, seed: a.seed, augment: a.augment, trainImages: train.count, testImages: test.count,
      epochs, stoppedEarly: stop, seconds: total, testAccuracy: last?.testAccuracy ?? null, losses, saved: a.save ?? null,
      memory: memory(),
    }) + "\n");
  }
  trainLoader.dispose();
  testLoader.dispose();
}

async function evalCommand(a: Args): Promise<void> {
  if (!a.weights) fail("eval needs --weights FILE (written by train --save)");
  await init({ backend: a.backend, build: a.build });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(a.weights));
  } catch (e) {
    fail(`cannot read ${a.weights}: ${(e as Error).message}`);
  }
  const model = referenceModel(a.model);
  try {
    model.loadStateDict(io.loadSafetensors(bytes));
  } catch (e) {
    fail(`${a.weights} does not hold ${a.model} weights: ${(e as Error).message}`);
  }
  const { test } = await loadData(a, (m) => process.stderr.write(m + "\n"));
  const loader = new data.DataLoader(test, { batchSize: a.batchSize, flat: !takesImages(a.model), shuffle: false });
  const ev = evaluate(model, loader);
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: a.model, dataset: a.dataset, weights: a.weights, ...ev }) + "\n");
    return;
  }
  process.stdout.write(`${a.model} on ${a.dataset} test: accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count})\n\n`);
  process.stdout.write("confusion matrix (rows: true class, columns: predicted)\n");
  process.stdout.write("     " + ev.confusion.map((_, j) => String(j).padStart(6)).join("") + "\n");
  ev.confusion.forEach((row, i) => process.stdout.write(String(i).padStart(4) + " " + row.map((c) => String(c).padStart(6)).join("") + "\n"));
}

async function bench(a: Args): Promise<void> {
  const engines = [...supportedBuilds().map((b) => ({ name: `wasm-${b}`, init: { build: b } })), { name: "js", init: { backend: "js" as const } }];
  const results: Record<string, number> = {};
  const targets = Int32Array.from({ length: a.batchSize }, (_, i) => i % 10);
  for (const e of engines) {
    await init(e.init);
    manualSeed(a.seed);
    const model = referenceModel(a.model);
    const opt = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn(takesImages(a.model) ? [a.batchSize, 1, 28, 28] : [a.batchSize, 784]);
    const step = () => tidy(() => {
      opt.zeroGrad();
      nn.functional.crossEntropy(model.forward(x), targets).backward();
      opt.step();
    });
    const steps = e.name === "js" || e.name === "wasm-scalar" ? Math.max(3, Math.ceil(a.steps / 5)) : a.steps;
    for (let i = 0; i < 3; i++) step();
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) step();
    results[e.name] = (steps * a.batchSize * 1000) / (performance.now() - t0);
    if (!a.json) process.stdout.write(`${a.model} ${e.name.padEnd(18)} ${thousands(results[e.name]).padStart(8)} samples/s\n`);
  }
  if (a.json) process.stdout.write(JSON.stringify({ model: a.model, batchSize: a.batchSize, samplesPerSecond: results }) + "\n");
}

/** Node 20 runs relaxed SIMD only behind a flag: rerun this command with it. */
function respawnWithRelaxedSimd(): boolean {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 22 || process.env.WASMGRAD_NO_RESPAWN || supportedBuilds().includes("relaxed-simd")) return false;
  const child = spawn(process.execPath, ["--experimental-wasm-relaxed-simd", ...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
    stdio: "inherit",
    // glibc: freeing data loading's large buffers makes its mmap and trim
    // thresholds slide up, after which memory freed in the first steps stays
    // in the process (5-13 MB of RSS for CNN-M); a fixed threshold stops that.
    env: { MALLOC_TRIM_THRESHOLD_: "131072", ...process.env, WASMGRAD_NO_RESPAWN: "1" },
  });
  process.on("SIGINT", () => {}); // the child gets the terminal's Ctrl-C and stops cleanly
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
  return true;
}

async function main(): Promise<void> {
  const [command, args] = parse(process.argv.slice(2));
  if (!["train", "eval", "bench"].includes(command)) fail(`unknown command '${command}'\n\n${HELP}`);
  if (args.backend === "wasm" && !args.build && respawnWithRelaxedSimd()) return;
  try {
    if (command === "train") await train(args);
    else if (command === "eval") await evalCommand(args);
    else await bench(args);
  } catch (e) {
    fail((e as Error).message);
  }
}

await main();
