// The training worker: the library, the datasets and the models live here, so
// the page stays free to draw while a model trains. Messages: protocol.ts.
import {
  data,
  fit,
  evaluate,
  getBackend,
  type FitOptions,
  getThreads,
  init,
  inputScaling,
  io,
  nn,
  noGrad,
  optim,
  planTraining,
  randn,
  RECIPES,
  softmax,
  supportedBuilds,
  tensor,
  tidy,
  trainStep,
} from "wasmgrad";
import type { BackendChoice, FromWorker, ToWorker, TrainConfig, Visuals } from "./protocol.js";
import { SHIFTS } from "./protocol.js";
import { buildModel, layerInfo, type BuiltModel } from "./models.js";
import { shiftImage } from "./preprocess.js";

const post = (m: FromWorker, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);

let datasetName = "";
let trainSet: data.ImageDataset | null = null;
let testSet: data.ImageDataset | null = null;
let current: BuiltModel | null = null;
/** The latest trained model of each kind, for the Shift tab. */
const latest: { mlp?: BuiltModel; cnn?: BuiltModel } = {};
let controller: AbortController | null = null;
let training: Promise<void> | null = null;
let digit: Float32Array = new Float32Array(784);

const MEAN = 0.1307,
  STD = 0.3081; // the DataLoader's normalisation, for drawn digits too

function backendOptions(b: BackendChoice) {
  if (b === "js") return { backend: "js" as const };
  if (b === "wasm") return { backend: "wasm" as const };
  return { backend: "wasm" as const, build: b.slice(5) as "relaxed-simd" | "simd" | "scalar" };
}

async function start(b: BackendChoice): Promise<void> {
  controller?.abort();
  await training;
  // models outlive a backend switch as safetensors bytes (a backend's tensors die with it)
  const kept = [current, latest.mlp, latest.cnn].filter((m): m is BuiltModel => m !== null && m !== undefined);
  const saved = new Map(kept.map((m) => [m, { bytes: io.saveSafetensors(m.model.stateDict()), spec: m.spec }]));
  await init(backendOptions(b));
  const revive = (m: BuiltModel | undefined | null) => {
    if (!m) return undefined;
    const s = saved.get(m)!;
    const fresh = buildModel(m.name, s.spec, m.inputs);
    fresh.model.loadStateDict(io.loadSafetensors(s.bytes));
    return fresh;
  };
  const map = new Map(kept.map((m) => [m, revive(m)!]));
  current = current ? map.get(current)! : null;
  latest.mlp = latest.mlp && map.get(latest.mlp);
  latest.cnn = latest.cnn && map.get(latest.cnn);
  post({ type: "ready", backend: getBackend(), threads: getThreads(), builds: supportedBuilds(), isolated: self.crossOriginIsolated });
}

/** Four IDX files, told apart by their shapes: images have three dimensions, and the training set is the larger. */
async function useFiles(name: string, source: string, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  if (files.length !== 4) throw new Error(`expected the four IDX files (train and test, images and labels), got ${files.length}`);
  const arrays = await Promise.all(files.map(async (f) => ({ name: f.name, ...(await data.readIdx(f.bytes, f.name)) })));
  const images = arrays.filter((a) => a.shape.length === 3).sort((a, b) => b.shape[0] - a.shape[0]);
  const labels = arrays.filter((a) => a.shape.length === 1).sort((a, b) => b.shape[0] - a.shape[0]);
  if (images.length !== 2 || labels.length !== 2)
    throw new Error("expected two image files (3 dimensions) and two label files (1 dimension)");
  trainSet = data.makeDataset(images[0].data, images[0].shape, labels[0].data, labels[0].shape, `${images[0].name} / ${labels[0].name}`);
  testSet = data.makeDataset(images[1].data, images[1].shape, labels[1].data, labels[1].shape, `${images[1].name} / ${labels[1].name}`);
  datasetName = name;
  post({ type: "data", name, source, train: trainSet.count, test: testSet.count });
}

async function fetchDataset(name: string, source: string, urls: Record<string, string>): Promise<void> {
  const files = await Promise.all(
    Object.entries(urls).map(async ([file, url]) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`cannot fetch ${url}: HTTP ${res.status}`);
      return { name: file, bytes: new Uint8Array(await res.arrayBuffer()) };
    }),
  );
  await useFiles(name, source, files);
}

function describe(m: BuiltModel): void {
  const layers = layerInfo(m.model);
  post({ type: "model", name: m.name, layers, total: layers.reduce((s, l) => s + l.params, 0), images: m.images });
}

function setModel(m: BuiltModel): void {
  current = m;
  if (m.images) latest.cnn = m;
  else latest.mlp = m;
  describe(m);
}

function testLoader(m: BuiltModel): data.DataLoader {
  if (!testSet) throw new Error("no dataset loaded yet");
  return new data.DataLoader(testSet, { batchSize: 500, shuffle: false, flat: !m.images, ...inputScaling(m.inputs) });
}

async function train(config: TrainConfig): Promise<void> {
  if (!current || current.name !== config.model || (config.model === "custom" && current.spec !== config.spec)) {
    setModel(buildModel(config.model, config.spec));
  }
  const m = current!;
  if (!trainSet) throw new Error("no dataset loaded yet");
  const { loader, test, validation, optimizer, scheduler } = m.recipe ? recipeRun(m, config) : plainRun(m, config);
  controller = new AbortController();
  const signal = controller.signal;
  let steps = 0,
    lastProgress = 0,
    lastVisuals = 0,
    testAccuracy: number | undefined;
  try {
    const result = await fit(m.model, {
      optimizer,
      epochs: config.epochs,
      data: loader,
      test,
      ...scheduler,
      signal,
      onBatch(info) {
        steps++;
        if (config.steps > 0 && steps >= config.steps) controller?.abort();
        const now = performance.now();
        if (now - lastProgress > 150) {
          lastProgress = now;
          post({ type: "progress", step: steps, epoch: info.epoch, loss: info.loss, samplesPerSecond: info.samplesPerSecond });
        }
        if (now - lastVisuals > 1000) {
          lastVisuals = now;
          predict();
        }
      },
      onEpoch(info) {
        testAccuracy = info.test?.accuracy;
        const validationAccuracy = validation ? evaluate(m.model, validation).accuracy : undefined;
        post({
          type: "epoch",
          epoch: info.epoch,
          loss: info.loss,
          testAccuracy: testAccuracy ?? NaN,
          validationAccuracy,
          seconds: info.seconds,
        });
      },
    });
    post({
      type: "stopped",
      reason: signal.aborted && config.steps > 0 && steps >= config.steps ? "steps" : result.stoppedBy,
      steps,
      testAccuracy,
    });
  } finally {
    controller = null;
    loader.dispose();
    test.dispose();
    validation?.dispose();
  }
  predict();
}

interface Run {
  loader: data.DataLoader;
  test: data.DataLoader;
  validation: data.DataLoader | null;
  optimizer: optim.Optimizer;
  scheduler: Pick<FitOptions<data.Batch>, "scheduler" | "schedulerEvery">;
}

/** The page's own settings: SGD with momentum 0.9 or Adam, no schedule. */
function plainRun(m: BuiltModel, config: TrainConfig): Run {
  const loader = new data.DataLoader(trainSet!, { batchSize: config.batchSize, augment: config.augment, flat: !m.images });
  const params = m.model.parameters();
  const optimizer =
    config.optimizer === "adam" ? new optim.Adam(params, { lr: config.lr }) : new optim.SGD(params, { lr: config.lr, momentum: 0.9 });
  return { loader, test: testLoader(m), validation: null, optimizer, scheduler: {} };
}

/**
 * A recipe's run (planTraining, as `wasmgrad train --recipe`) on the model as
 * it is, with the page's learning rate, batch size and epochs; its
 * validation split at most a sixth of the training images (the sample has
 * 10,000 in all).
 */
function recipeRun(m: BuiltModel, config: TrainConfig): Run {
  const r = RECIPES[m.recipe!];
  const plan = {
    ...r,
    lr: config.lr,
    batchSize: config.batchSize,
    epochs: config.epochs,
    validation: Math.min(r.validation, Math.floor(trainSet!.count / 6)),
  };
  const run = planTraining(plan, trainSet!, testSet!, { model: m.model });
  const { scheduler, schedulerEvery } = run.fitOptions;
  return {
    loader: run.train,
    test: run.test,
    validation: run.validation,
    optimizer: run.optimizer,
    scheduler: { scheduler, schedulerEvery },
  };
}

function input(m: BuiltModel, pixels: Float32Array[]) {
  const { mean = MEAN, std = STD } = inputScaling(m.inputs);
  const x = new Float32Array(pixels.length * 784);
  pixels.forEach((p, i) => p.forEach((v, j) => (x[i * 784 + j] = (v - mean) / std)));
  return tensor(x, { shape: m.images ? [pixels.length, 1, 28, 28] : [pixels.length, 784] });
}

function visuals(m: BuiltModel): Visuals | null {
  const first = m.model.layers[0];
  if (first instanceof nn.Linear) {
    const count = Math.min(64, first.weight.shape[0]);
    return { kind: "mlp", tiles: first.weight.data().slice(0, count * 784), tileCount: count, tileSize: 28 };
  }
  if (first instanceof nn.Conv2d) {
    const [T, C, k] = first.weight.shape;
    const w = first.weight.data();
    const tiles = new Float32Array(T * k * k);
    for (let t = 0; t < T; t++) tiles.set(w.subarray(t * C * k * k, t * C * k * k + k * k), t * k * k); // the first input channel
    const maps = tidy(() => noGrad(() => m.model.layers[1].forward(first.forward(input(m, [digit]))).data()));
    return { kind: "cnn", tiles, tileCount: T, tileSize: k, maps, mapCount: T, mapSize: Math.round(Math.sqrt(maps.length / T)) };
  }
  return null;
}

function probabilities(m: BuiltModel, pixels: Float32Array[]): Float32Array {
  return tidy(() => noGrad(() => softmax(m.model.forward(input(m, pixels)), 1).data()));
}

function predict(): void {
  if (!current) return;
  post({ type: "prediction", probs: probabilities(current, [digit]), visuals: visuals(current) });
}

function shift(pixels: Float32Array, target: number): void {
  const shifted = SHIFTS.map((dx) => shiftImage(pixels, dx));
  const series = (["mlp", "cnn"] as const).flatMap((kind) => {
    const m = latest[kind];
    if (!m) return [];
    const p = probabilities(m, shifted);
    return [{ model: m.name, kind, confidence: SHIFTS.map((_, i) => p[i * 10 + target]) }];
  });
  post({ type: "shift", series });
}

/** The model as safetensors (the CLI's metadata), or as an ONNX model (the same metadata, for wasmgrad eval --onnx). */
function save(format: "safetensors" | "onnx"): void {
  if (!current) throw new Error("no model to save: train or load one first");
  // the CLI's dataset names: the offline sample is MNIST; files from the picker are whatever they are
  const dataset = datasetName === "mnist-sample" ? "mnist" : ["mnist", "fashion-mnist"].includes(datasetName) ? datasetName : "";
  // a recipe's model under its architecture's name, as `wasmgrad train --recipe --save` writes it
  const model = current.recipe ? RECIPES[current.recipe].model : current.name;
  const meta: Record<string, string> = { model, inputs: current.inputs, ...(dataset && { dataset }) };
  if (current.name === "custom") meta.spec = current.spec;
  const m = current;
  const example = () => tensor(new Float32Array(784), { shape: m.images ? [1, 1, 28, 28] : [1, 784] });
  const bytes =
    format === "onnx" ? tidy(() => io.toOnnx(m.model, example(), { metadata: meta })) : io.saveSafetensors(m.model.stateDict(), meta);
  const fileName = `${m.recipe ?? model}${dataset && `-${dataset}`}.${format}`;
  post({ type: "saved", bytes: bytes.buffer as ArrayBuffer, fileName }, [bytes.buffer as ArrayBuffer]);
}

function load(bytes: Uint8Array): void {
  // the CLI records the model and dataset in the metadata (wasmgrad train --save)
  const meta = io.safetensorsMetadata(bytes);
  if (!meta.model)
    throw new Error("the file's metadata does not name its model (expected one written by wasmgrad train --save or this page)");
  const inputs = meta.inputs === "symmetric" ? "symmetric" : "standardized";
  const m = buildModel(meta.model, meta.spec ?? "", inputs);
  m.model.loadStateDict(io.loadSafetensors(bytes));
  setModel(m);
  let testAccuracy = NaN;
  if (testSet) {
    const test = testLoader(m);
    testAccuracy = evaluate(m.model, test).accuracy;
    test.dispose();
  }
  post({ type: "loaded", name: `${meta.model}${meta.dataset ? ` (${meta.dataset})` : ""}`, testAccuracy });
  predict();
}

/** Training samples/s of a fresh model on random data (the page runs this in a worker of its own, one per backend). */
function speed(config: TrainConfig): void {
  const m = buildModel(config.model, config.spec);
  const params = m.model.parameters();
  const opt = new optim.SGD(params, { lr: 0.01, momentum: 0.9 });
  const B = config.batchSize;
  const x = randn(m.images ? [B, 1, 28, 28] : [B, 784]);
  const y = Int32Array.from({ length: B }, (_, i) => i % 10);
  for (let i = 0; i < 3; i++) trainStep(m.model, opt, { x, y });
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    trainStep(m.model, opt, { x, y });
    n++;
  }
  const threads = getThreads();
  post({
    type: "speed",
    backend: `${getBackend()}${threads > 1 ? ` x${threads}` : ""}`,
    samplesPerSecond: (n * B * 1000) / (performance.now() - t0),
  });
}

// one message at a time: a backend switch must not interleave with a load
let queue = Promise.resolve();
self.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  if (m.type === "pause") {
    controller?.abort();
    return;
  }
  if (m.type === "digit") {
    digit = m.pixels;
    if (!controller)
      queue = queue.then(() => predict()); // while training, answered between batches
    else predict();
    return;
  }
  const run = async () => {
    switch (m.type) {
      case "init":
        return start(m.backend);
      case "dataset":
        return fetchDataset(m.name, m.source, m.urls);
      case "files":
        return useFiles(
          "your files",
          "chosen in the page",
          m.files.map((f) => ({ name: f.name, bytes: new Uint8Array(f.bytes) })),
        );
      case "build":
        return setModel(buildModel(m.config.model, m.config.spec));
      case "train":
        // runs beside the queue, so that pause and drawn digits get through
        training ??= train(m.config)
          .catch(report)
          .finally(() => (training = null));
        return;
      case "shift":
        return shift(m.pixels, m.target);
      case "save":
        return save(m.format ?? "safetensors");
      case "load":
        return load(new Uint8Array(m.bytes));
      case "speed":
        await start(m.backend);
        return speed(m.config);
    }
  };
  queue = queue.then(run).catch(report);
};

function report(e: unknown): void {
  post({ type: "error", message: e instanceof Error ? e.message : String(e) });
}
