#!/usr/bin/env node
// The `wasmgrad` command: train, eval and bench on MNIST-family data.
import { parseArgs } from "node:util";
import { readFileSync } from "node:fs";
import { init, getBackend, getThreads, manualSeed, memory, fit, evaluate } from "../index.js";
import { optim, io, data, bench, type Tensor } from "../index.js";
import { referenceModel, takesImages, MODEL_NAMES, type ModelName } from "../models/reference.js";
import { enableRelaxedSimd } from "../node/relaxed-simd.js";
import { cores } from "../backend/index.js";
import { checkWritable, writeFileAtomic } from "../node/files.js";
import { thousands } from "../format.js";
import { Progress } from "./progress.js";

const DATASETS = Object.keys(data.SOURCES) as data.DatasetName[];
const VERSION: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;

const HELP = `usage: wasmgrad <command> [options]

commands:
  train   train a reference model on an MNIST-family dataset
  eval    report test accuracy and the confusion matrix of saved weights
  bench   the benchmark suites (kernels, training, inference) on every backend

options (train, eval):
  --dataset mnist|fashion-mnist|kmnist   (default mnist; eval: the one the weights were trained on)
  --model mlp-s|mlp-l|lenet5|cnn-m       (default cnn-m; eval: the one the weights file names)
  --data-dir DIR        read the four IDX files from DIR
  --backend wasm|js     (default wasm: the best build this runtime runs)
  --build relaxed-simd|simd|scalar
  --threads N           (default: every core; 1 runs on this thread alone)
  --batch-size N        (default 64)
  --json                print a machine-readable summary on stdout
train:
  --epochs N            (default 1)
  --optimizer sgd|adam|adamw|rmsprop   (default sgd)
  --lr X                (default 0.05 for sgd, 0.001 otherwise)
  --momentum X          (sgd, 0 <= X < 1, default 0.9)
  --schedule cosine|none   cosine: anneal the learning rate to 0 over all steps (default cosine)
  --augment             random shifts, small affine transforms, elastic distortions
  --save FILE           write the weights as safetensors (also after Ctrl-C)
  --seed N              (default 1): the same seed repeats the same run
  --limit N             train on the first N images only
  --test-limit N        test on the first N images only
eval:
  --weights FILE        safetensors written by train --save
bench:
  --quick               about a minute: fewer sizes, one round
  --suite kernels,training,inference   (default: all three)
  --model NAME          training and inference of this model only
  --threads N           the thread count besides 1 (default: every core)
  --out FILE            write the report as JSON, every sample (atomically)
  --json                print that JSON instead of the tables
  In a clone, \`npm run bench\` adds the peers (TensorFlow.js, jax-js, PyTorch).

  --version             print the version
  --help                print this help

Data is looked for in --data-dir, $WASMGRAD_DATA/<dataset>/, ~/.cache/wasmgrad/<dataset>/
and /usr/share/datasets/<dataset>/, then downloaded into the cache (not when
WASMGRAD_OFFLINE is set); with neither, mnist trains on the 10,000-digit
offline sample shipped with wasmgrad, and says so.

Ctrl-C (or SIGTERM) during training stops after the current batch, still saves,
and exits with 130 (143); a second one quits at once.`;

interface Args {
  /** Undefined when not given: eval then takes the one in the weights file. */
  dataset?: data.DatasetName;
  model?: ModelName;
  dataDir?: string;
  backend: "wasm" | "js";
  build?: "relaxed-simd" | "simd" | "scalar";
  batchSize: number;
  epochs: number;
  optimizer: string;
  lr?: number;
  momentum: number;
  schedule: "cosine" | "none";
  augment: boolean;
  save?: string;
  weights?: string;
  seed: number;
  limit?: number;
  testLimit?: number;
  quick: boolean;
  suites?: bench.Suite[];
  out?: string;
  /** Undefined: the library's default (the cores, where threads can run). */
  threads?: number;
  json: boolean;
}

function warn(message: string): void {
  process.stderr.write(`wasmgrad: warning: ${message}\n`);
}

/** Exit 2 for a mistake in the command line, 1 for a failure while running. */
function fail(message: string, code = 2): never {
  process.stderr.write(`wasmgrad: ${message}\n`);
  process.exit(code);
}

const OPTIONS = {
  dataset: { type: "string" },
  model: { type: "string" },
  "data-dir": { type: "string" },
  backend: { type: "string", default: "wasm" },
  build: { type: "string" },
  "batch-size": { type: "string", default: "64" },
  epochs: { type: "string", default: "1" },
  optimizer: { type: "string", default: "sgd" },
  lr: { type: "string" },
  momentum: { type: "string", default: "0.9" },
  schedule: { type: "string", default: "cosine" },
  augment: { type: "boolean", default: false },
  save: { type: "string" },
  weights: { type: "string" },
  seed: { type: "string", default: "1" },
  limit: { type: "string" },
  "test-limit": { type: "string" },
  quick: { type: "boolean", default: false },
  suite: { type: "string" },
  out: { type: "string" },
  threads: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

/**
 * `--epochs -1` as `--epochs=-1`: parseArgs takes a value that starts with a
 * dash for a forgotten value, and its message ("argument is ambiguous")
 * would hide the real mistake, which the checks below then name.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i].startsWith("--") ? OPTIONS[argv[i].slice(2) as keyof typeof OPTIONS] : undefined;
    if (option?.type === "string" && i + 1 < argv.length && /^-[\d.]/.test(argv[i + 1])) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

const SEE_HELP = "(wasmgrad --help lists the options)";

/** The options that apply to each command; any other one given is ignored, with a warning. */
const APPLIES: Record<string, readonly string[]> = {
  train: [
    "dataset",
    "model",
    "data-dir",
    "backend",
    "build",
    "threads",
    "batch-size",
    "epochs",
    "optimizer",
    "lr",
    "momentum",
    "schedule",
    "augment",
    "save",
    "seed",
    "limit",
    "test-limit",
    "json",
  ],
  eval: ["dataset", "model", "data-dir", "backend", "build", "threads", "batch-size", "weights", "test-limit", "json"],
  bench: ["model", "quick", "suite", "threads", "out", "json"],
};

function parse(argv: string[]): [string, Args] {
  let parsed;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), allowPositionals: true, options: OPTIONS, tokens: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const unknown = /^Unknown option '([^']*)'/.exec(err.message);
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) fail(`unknown option '${unknown[1]}' ${SEE_HELP}`);
    fail(`${err.message} ${SEE_HELP}`);
  }
  const v = parsed.values;
  const command = parsed.positionals[0];
  if (v.version) {
    process.stdout.write(`wasmgrad ${VERSION}\n`);
    process.exit(0);
  }
  if (v.help || !command) {
    process.stdout.write(HELP + "\n");
    process.exit(command || v.help ? 0 : 2);
  }
  if (parsed.positionals.length > 1) fail(`unexpected argument '${parsed.positionals[1]}' ${SEE_HELP}`);
  const given = new Set(parsed.tokens.flatMap((t) => (t.kind === "option" ? [t.name] : [])));
  const applies = APPLIES[command];
  if (applies) {
    for (const name of given) if (!applies.includes(name)) warn(`--${name} does not apply to ${command}; ignored`);
  }
  if (given.has("momentum") && v.optimizer !== "sgd") warn(`--momentum applies to --optimizer sgd only; ignored for ${v.optimizer}`);
  if (given.has("build") && v.backend === "js") fail("--build picks a Wasm build: it applies to --backend wasm only");
  const int = (name: string, s: string | undefined, min: 0 | 1): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n) || n < min)
      fail(`--${name} must be a ${min ? "positive" : "non-negative"} integer, got ${s}`);
    return n;
  };
  const num = (name: string, s: string | undefined, test: (n: number) => boolean, what: string): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) || !Number.isFinite(n) || !test(n)) fail(`--${name} must be ${what}, got ${s}`);
    return n;
  };
  const oneOf = <T extends string>(name: string, s: string, allowed: readonly T[]): T => {
    if (!allowed.includes(s as T)) fail(`--${name} must be one of ${allowed.join(", ")}, got '${s}'`);
    return s as T;
  };
  return [
    command,
    {
      dataset: v.dataset === undefined ? undefined : oneOf("dataset", v.dataset, DATASETS),
      model: v.model === undefined ? undefined : oneOf("model", v.model, MODEL_NAMES),
      dataDir: v["data-dir"],
      backend: oneOf("backend", v.backend!, ["wasm", "js"] as const),
      build: v.build === undefined ? undefined : oneOf("build", v.build, ["relaxed-simd", "simd", "scalar"] as const),
      batchSize: int("batch-size", v["batch-size"], 1)!,
      epochs: int("epochs", v.epochs, 1)!,
      optimizer: oneOf("optimizer", v.optimizer!, ["sgd", "adam", "adamw", "rmsprop"] as const),
      lr: num("lr", v.lr, (n) => n > 0, "a positive number"),
      momentum: num("momentum", v.momentum, (n) => n >= 0 && n < 1, "at least 0 and below 1")!,
      schedule: oneOf("schedule", v.schedule!, ["cosine", "none"] as const),
      augment: v.augment!,
      save: v.save,
      weights: v.weights,
      seed: int("seed", v.seed, 0)!,
      limit: int("limit", v.limit, 1),
      testLimit: int("test-limit", v["test-limit"], 1),
      quick: v.quick!,
      suites: v.suite?.split(",").map((x) => oneOf("suite", x, bench.SUITES)),
      out: v.out,
      threads: int("threads", v.threads, 1),
      json: v.json!,
    },
  ];
}

/** What train and bench run when the command line does not say. */
const DEFAULT_MODEL: ModelName = "cnn-m";
const DEFAULT_DATASET: data.DatasetName = "mnist";

function defaultLr(optimizer: string): number {
  return optimizer === "sgd" ? 0.05 : 0.001;
}

function makeOptimizer(a: Args, params: Tensor[]): optim.Optimizer {
  const lr = a.lr ?? defaultLr(a.optimizer);
  switch (a.optimizer) {
    case "sgd":
      return new optim.SGD(params, { lr, momentum: a.momentum });
    case "adam":
      return new optim.Adam(params, { lr });
    case "adamw":
      return new optim.AdamW(params, { lr });
    default:
      return new optim.RMSprop(params, { lr });
  }
}

async function loadData(name: data.DatasetName, a: Args, log: (m: string) => void) {
  const d = await data.loadMnist({ name, dir: a.dataDir, log });
  const train = a.limit ? data.subset(d.train, a.limit) : d.train;
  const test = a.testLimit ? data.subset(d.test, a.testLimit) : d.test;
  log(`${name}: ${thousands(train.count)} train / ${thousands(test.count)} test images from ${d.source}`);
  return { d, train, test };
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

async function train(a: Args): Promise<void> {
  const log = (m: string) => process.stderr.write(m + "\n");
  const status = a.json ? process.stderr : process.stdout;
  const modelName = a.model ?? DEFAULT_MODEL,
    dataset = a.dataset ?? DEFAULT_DATASET;
  if (a.save) {
    try {
      checkWritable(a.save);
    } catch (e) {
      fail(`--save ${a.save}: ${(e as Error).message}`);
    }
  }
  await init({ backend: a.backend, build: a.build, threads: a.threads });
  manualSeed(a.seed);
  const { d, train, test } = await loadData(dataset, a, log);
  const model = referenceModel(modelName);
  const opt = makeOptimizer(a, model.parameters());
  const flat = !takesImages(modelName);
  const trainLoader = new data.DataLoader(train, { batchSize: a.batchSize, flat, augment: a.augment });
  // the training batch size: evaluation reuses the heap blocks of training
  const testLoader = new data.DataLoader(test, { batchSize: a.batchSize, flat, shuffle: false });
  const schedule = a.schedule === "cosine" ? new optim.CosineAnnealingLR(opt, a.epochs * trainLoader.length) : null;
  status.write(
    `training ${modelName} (${thousands(model.numParameters())} parameters) on ${getBackend()}${getThreads() > 1 ? ` x${getThreads()} threads` : ""}, ` +
      `${a.optimizer} lr ${opt.lr}${schedule ? " (cosine)" : ""}, batch ${a.batchSize}, ${a.epochs} epoch(s)${a.augment ? ", augmented" : ""}, seed ${a.seed}\n`,
  );

  let stoppedBy: NodeJS.Signals | null = null;
  const stop = new AbortController();
  // The first signal stops after the current batch. Its listeners then go, so
  // a second one meets Node's default action and ends the process at once,
  // even inside the synchronous evaluation or save that follow.
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    stop.abort();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stderr.write(
      `${process.stderr.isTTY ? "\n" : ""}${signal === "SIGINT" ? "Ctrl-C" : signal}: stopping after this batch (again to quit now, without saving)\n`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const t0 = performance.now();
  const epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number; samplesPerSecond: number }[] =
    [];
  const losses: number[] = [];
  let bar: Progress | null = null;
  await fit(model, {
    optimizer: opt,
    epochs: a.epochs,
    data: trainLoader,
    scheduler: schedule ?? undefined,
    test: testLoader,
    signal: stop.signal,
    onBatch: (b) => {
      if (b.batch === 1) bar = new Progress(status, `epoch ${b.epoch}/${a.epochs}`, trainLoader.length);
      losses.push(b.loss);
      if (!Number.isFinite(b.loss)) {
        bar!.finish();
        fail(`the loss became ${b.loss} at epoch ${b.epoch}, batch ${b.batch}: lower the learning rate (--lr)`, 1);
      }
      bar!.update(b.batch, b.seen, b.meanLoss, b.accuracy!, b.samplesPerSecond);
    },
    onEpoch: (e) => {
      bar?.finish();
      const ev = e.test!;
      epochs.push({
        epoch: e.epoch,
        loss: e.loss,
        trainAccuracy: e.accuracy!,
        testAccuracy: ev.accuracy,
        seconds: e.seconds,
        samplesPerSecond: e.samplesPerSecond,
      });
      status.write(
        `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}, train accuracy ${(100 * e.accuracy!).toFixed(2)}%, ` +
          `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count}), ${e.seconds.toFixed(1)} s\n`,
      );
    },
  });
  const total = (performance.now() - t0) / 1000;
  if (a.save) {
    try {
      writeFileAtomic(a.save, io.saveSafetensors(model.stateDict(), { model: modelName, dataset }));
    } catch (e) {
      fail(`cannot save ${a.save}: ${(e as Error).message}`, 1);
    }
    status.write(`saved ${a.save}\n`);
  }
  const last = epochs[epochs.length - 1];
  status.write(
    `${stoppedBy ? "stopped early; " : ""}total ${total.toFixed(1)} s; test accuracy ${last ? (100 * last.testAccuracy).toFixed(2) + "%" : "n/a"}` +
      `${d.sample ? " (on the offline 10k-digit sample, not the full MNIST)" : ""}\n`,
  );
  if (a.json) {
    process.stdout.write(
      JSON.stringify({
        model: modelName,
        dataset,
        sample: d.sample,
        backend: getBackend(),
        threads: getThreads(),
        optimizer: a.optimizer,
        lr: a.lr ?? defaultLr(a.optimizer),
        schedule: a.schedule,
        batchSize: a.batchSize,
        seed: a.seed,
        augment: a.augment,
        trainImages: train.count,
        testImages: test.count,
        epochs,
        stoppedEarly: stoppedBy !== null,
        seconds: total,
        testAccuracy: last?.testAccuracy ?? null,
        losses,
        saved: a.save ?? null,
        memory: memory(),
      }) + "\n",
    );
  }
  trainLoader.dispose();
  testLoader.dispose();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (stoppedBy) process.exitCode = SIGNAL_EXIT[stoppedBy];
}

/** The model and dataset to evaluate: the command line's, checked against what the file says it holds. */
function evalTarget(
  a: Args,
  file: string,
  meta: Record<string, string>,
): { model: ModelName; dataset: data.DatasetName; trainedOn?: string } {
  const recorded = MODEL_NAMES.find((m) => m === meta.model);
  if (a.model && recorded && a.model !== recorded) {
    fail(`${file} holds ${recorded} weights (its metadata says so), not ${a.model}: drop --model or pass --model ${recorded}`);
  }
  const model = a.model ?? recorded;
  if (!model) {
    const said =
      meta.model === undefined
        ? "does not name its model"
        : `names the model '${meta.model}', which is not one of ${MODEL_NAMES.join(", ")}`;
    fail(`${file} ${said}: pass --model`);
  }
  const trainedOn = meta.dataset;
  const dataset = a.dataset ?? DATASETS.find((n) => n === trainedOn) ?? DEFAULT_DATASET;
  if (trainedOn !== undefined && trainedOn !== dataset) {
    warn(`${file} was trained on ${trainedOn}; evaluating it on ${dataset} as asked`);
  }
  return { model, dataset, trainedOn };
}

async function evalCommand(a: Args): Promise<void> {
  if (!a.weights) fail("eval needs --weights FILE (written by train --save)");
  let bytes: Uint8Array, meta: Record<string, string>;
  try {
    bytes = new Uint8Array(readFileSync(a.weights));
  } catch (e) {
    fail(`cannot read ${a.weights}: ${(e as Error).message}`);
  }
  try {
    meta = io.safetensorsMetadata(bytes);
  } catch (e) {
    fail(`${a.weights}: ${(e as Error).message}`);
  }
  const { model: modelName, dataset, trainedOn } = evalTarget(a, a.weights, meta);
  await init({ backend: a.backend, build: a.build, threads: a.threads });
  const model = referenceModel(modelName);
  try {
    model.loadStateDict(io.loadSafetensors(bytes));
  } catch (e) {
    fail(`${a.weights} does not hold ${modelName} weights: ${(e as Error).message}`);
  }
  const { test } = await loadData(dataset, a, (m) => process.stderr.write(m + "\n"));
  const loader = new data.DataLoader(test, { batchSize: a.batchSize, flat: !takesImages(modelName), shuffle: false });
  const ev = evaluate(model, loader);
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: modelName, dataset, trainedOn: trainedOn ?? null, weights: a.weights, ...ev }) + "\n");
    return;
  }
  process.stdout.write(`${modelName} on ${dataset} test: accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count})\n\n`);
  process.stdout.write("confusion matrix (rows: true class, columns: predicted)\n");
  process.stdout.write("     " + ev.confusion.map((_, j) => String(j).padStart(6)).join("") + "\n");
  ev.confusion.forEach((row, i) =>
    process.stdout.write(String(i).padStart(4) + " " + row.map((c) => String(c).padStart(6)).join("") + "\n"),
  );
}

async function benchCommand(a: Args, argv: string[]): Promise<void> {
  if (a.out) checkWritable(a.out);
  // each build on one thread, the js backend, and the SIMD builds on every core (or --threads) where threads run
  const many = a.threads ?? cores();
  const report = await bench.runBench({
    contenders: bench.ourContenders([...new Set([1, many])]),
    workloads: bench.workloads({ quick: a.quick, suites: a.suites, models: a.model ? [a.model] : undefined }),
    quick: a.quick,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  const json = JSON.stringify(report, null, 1) + "\n";
  if (a.out) writeFileAtomic(a.out, json);
  process.stdout.write(a.json ? json : bench.toMarkdown(report, ["wasmgrad", ...argv].join(" ")));
}

async function main(): Promise<void> {
  // `wasmgrad eval | head`: a reader that went away is not an error of ours
  for (const out of [process.stdout, process.stderr]) {
    out.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
  const [command, args] = parse(process.argv.slice(2));
  if (!["train", "eval", "bench"].includes(command)) fail(`unknown command '${command}' (commands: train, eval, bench; wasmgrad --help)`);
  // Node 20 has the relaxed-SIMD (FMA) build behind a V8 flag: turn it on in this process.
  enableRelaxedSimd();
  try {
    if (command === "train") await train(args);
    else if (command === "eval") await evalCommand(args);
    else await benchCommand(args, process.argv.slice(2));
  } catch (e) {
    fail((e as Error).message, 1);
  }
}

await main();
