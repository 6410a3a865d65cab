// `wasmgrad eval`: test accuracy and the confusion matrix of saved weights,
// the model and dataset taken from the file's metadata unless given.
import { readFileSync } from "node:fs";
import { init, evaluate, io, data, type Evaluation } from "../index.js";
import type { OnnxModule } from "../io/onnx/import.js";
import { referenceModel, takesImages, ALL_MODEL_NAMES, type ModelName } from "../models/reference.js";
import { DEFAULT_DATASET, fail, loadData, warn } from "./common.js";
import { inputScaling } from "../train/recipe.js";
import { DATASETS, type Args } from "./options.js";

/** The model and dataset to evaluate: the command line's, checked against what the file says it holds. */
function evalTarget(
  a: Args,
  file: string,
  meta: Record<string, string>,
): { model: ModelName; dataset: data.DatasetName; trainedOn?: string } {
  const recorded = ALL_MODEL_NAMES.find((m) => m === meta.model);
  if (a.model && recorded && a.model !== recorded) {
    fail(`${file} holds ${recorded} weights (its metadata says so), not ${a.model}: drop --model or pass --model ${recorded}`);
  }
  const model = a.model ?? recorded;
  if (!model) {
    const said =
      meta.model === undefined
        ? "does not name its model"
        : `names the model '${meta.model}', which is not one of ${ALL_MODEL_NAMES.join(", ")}`;
    fail(`${file} ${said}: pass --model`);
  }
  const trainedOn = meta.dataset;
  const dataset = a.dataset ?? DATASETS.find((n) => n === trainedOn) ?? DEFAULT_DATASET;
  if (trainedOn !== undefined && trainedOn !== dataset) {
    warn(`${file} was trained on ${trainedOn}; evaluating it on ${dataset} as asked`);
  }
  return { model, dataset, trainedOn };
}

/** `eval --onnx`: an ONNX model, its dataset and input scaling from its metadata (MNIST's standardization by default). */
async function evalOnnx(a: Args, file: string): Promise<void> {
  let model: OnnxModule;
  try {
    const bytes = new Uint8Array(readFileSync(file));
    await init({ backend: a.backend, build: a.build, threads: a.threads });
    model = io.fromOnnx(bytes);
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`);
  }
  model.eval();
  const meta = model.metadata;
  const trainedOn = meta.get("dataset");
  const dataset = a.dataset ?? DATASETS.find((n) => n === trainedOn) ?? DEFAULT_DATASET;
  if (trainedOn !== undefined && trainedOn !== dataset) warn(`${file} was trained on ${trainedOn}; evaluating it on ${dataset} as asked`);
  const inputs = meta.get("inputs") === "symmetric" ? "symmetric" : a.inputs;
  const rank = model.inputShape?.length ?? 4;
  if (rank !== 2 && rank !== 4) fail(`${file} takes inputs of rank ${rank}: MNIST images go in as [batch, 784] or [batch, 1, 28, 28]`);
  const { test } = await loadData(dataset, a, (m) => process.stderr.write(m + "\n"));
  const loader = new data.DataLoader(test, { batchSize: a.batchSize, flat: rank === 2, shuffle: false, ...inputScaling(inputs) });
  let ev;
  try {
    ev = evaluate(model, loader);
  } catch (e) {
    fail(`${file}: ${(e as Error).message}`, 1);
  }
  report(a, meta.get("model") ?? file, dataset, trainedOn, { onnx: file }, ev);
}

export async function evalCommand(a: Args): Promise<void> {
  if (a.weights && a.onnx) fail("eval takes --weights or --onnx, not both");
  if (a.onnx) return evalOnnx(a, a.onnx);
  if (!a.weights) fail("eval needs --weights FILE (written by train --save) or --onnx FILE");
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
  // the inputs the weights were trained on, as the file says (older files: standardized)
  const inputs = meta.inputs === "symmetric" ? "symmetric" : a.inputs;
  const loader = new data.DataLoader(test, {
    batchSize: a.batchSize,
    flat: !takesImages(modelName),
    shuffle: false,
    ...inputScaling(inputs),
  });
  report(a, modelName, dataset, trainedOn, { weights: a.weights }, evaluate(model, loader));
}

function report(
  a: Args,
  modelName: string,
  dataset: string,
  trainedOn: string | undefined,
  source: Record<string, string>,
  ev: Evaluation,
): void {
  if (a.json) {
    process.stdout.write(JSON.stringify({ model: modelName, dataset, trainedOn: trainedOn ?? null, ...source, ...ev }) + "\n");
    return;
  }
  process.stdout.write(`${modelName} on ${dataset} test: accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count})\n\n`);
  process.stdout.write("confusion matrix (rows: true class, columns: predicted)\n");
  process.stdout.write("     " + ev.confusion.map((_, j) => String(j).padStart(6)).join("") + "\n");
  ev.confusion.forEach((row, i) =>
    process.stdout.write(String(i).padStart(4) + " " + row.map((c) => String(c).padStart(6)).join("") + "\n"),
  );
}
