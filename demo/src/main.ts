// The page: tabs, the controls, and the charts. Training, prediction and
// weights all happen in the worker (worker.ts); the page's own backend only
// runs the Convolutions tab.
import { init, getBackend, RECIPES } from "wasmgrad";
import type { BackendChoice, FromWorker, ToWorker, TrainConfig, Visuals } from "./protocol.js";
import { SHIFTS } from "./protocol.js";
import { DEFAULT_SPEC, recipeOf } from "./models.js";
import { DrawPad, showProbabilities } from "./draw-tab.js";
import { ConvTab } from "./conv-tab.js";
import { LineChart } from "./charts.js";
import { drawTiles } from "./images.js";
import { BenchTab } from "./bench-tab.js";

const $ = (id: string) => document.getElementById(id)!;
const value = (id: string) => ($(id) as HTMLInputElement).value;
const MNIST_LABELS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const FASHION_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
let labels = MNIST_LABELS;

for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) {
  b.addEventListener("click", () => {
    document.querySelectorAll(".tab, #tabs button").forEach((e) => e.classList.remove("active"));
    b.classList.add("active");
    $(b.dataset.tab!).classList.add("active");
  });
}

const newWorker = () => new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
const worker = newWorker();
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

function config(): TrainConfig {
  return {
    model: value("model"),
    spec: value("spec"),
    optimizer: value("optimizer") as "sgd" | "adam",
    lr: Number(value("lr")),
    batchSize: Number(value("batch")),
    augment: ($("augment") as HTMLInputElement).checked,
    epochs: Math.max(1, Number(value("epochs"))),
    steps: Math.max(0, Number(value("steps"))),
  };
}

// --- status and data
let backendLine = "";
let dataLine = "";
const showStatus = () => ($("status").textContent = [backendLine, dataLine].filter(Boolean).join(" · "));
const trainStatus = (s: string) => ($("train-status").textContent = s);

const datasets: Record<string, { source: string; urls: Record<string, string> }> = {};
async function loadManifest(): Promise<void> {
  const res = await fetch("data/manifest.json");
  Object.assign(datasets, res.ok ? ((await res.json()) as { datasets: typeof datasets }).datasets : {});
  const select = $("dataset") as HTMLSelectElement;
  select.replaceChildren(...Object.keys(datasets).map((name) => new Option(name, name)));
  if (select.options.length === 0) dataLine = "no dataset is served here: choose the four IDX files";
  else pickDataset();
  showStatus();
}
function pickDataset(): void {
  const name = value("dataset");
  const d = datasets[name];
  labels = name.startsWith("fashion") ? FASHION_LABELS : MNIST_LABELS;
  shiftClasses();
  dataLine = `loading ${name}…`;
  showStatus();
  send({
    type: "dataset",
    name,
    source: d.source,
    urls: Object.fromEntries(Object.entries(d.urls).map(([f, u]) => [f, new URL(u, document.baseURI).href])),
  });
}
$("dataset").addEventListener("change", pickDataset);
$("idx-files").addEventListener("change", async (e) => {
  const files = Array.from((e.target as HTMLInputElement).files ?? []);
  const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
  send(
    { type: "files", files: payload },
    payload.map((p) => p.bytes),
  );
});

// --- model and training
($("spec") as HTMLTextAreaElement).value = DEFAULT_SPEC;
$("model").addEventListener("change", () => {
  $("spec").hidden = value("model") !== "custom";
  showRecipe();
  send({ type: "build", config: config() });
  resetCharts();
});
$("spec").addEventListener("change", () => send({ type: "build", config: config() }));
/** A recipe's settings in the fields: its learning rate, batch size and epochs can be changed, the rest is the recipe's. */
function showRecipe(): void {
  const name = recipeOf(value("model"));
  const about = $("recipe-about");
  about.hidden = !name;
  for (const id of ["optimizer", "augment"]) ($(id) as HTMLInputElement).disabled = name !== undefined;
  if (!name) return;
  const r = RECIPES[name];
  about.textContent =
    `${r.about}. Deformed digits, inputs in [-1, 1]; as published: ${r.epochs} epochs, ${r.validation.toLocaleString("en-US")} training images ` +
    `held out for validation (here at most a sixth of the training set). The learning rate, batch size and epochs can be changed.`;
  ($("lr") as HTMLInputElement).value = String(r.lr);
  ($("batch") as HTMLInputElement).value = String(r.batchSize);
  ($("epochs") as HTMLInputElement).value = String(r.epochs);
  ($("augment") as HTMLInputElement).checked = true;
  ($("optimizer") as HTMLSelectElement).value = r.optimizer;
}
$("optimizer").addEventListener("change", () => (($("lr") as HTMLInputElement).value = value("optimizer") === "adam" ? "0.001" : "0.05"));

const lossChart = new LineChart($("loss-chart"), "training loss", "step", [{ label: "loss", color: "#4a7bd0" }]);
const accChart = new LineChart(
  $("acc-chart"),
  "accuracy (%)",
  "epoch",
  [
    { label: "test", color: "#d0582e", points: true },
    { label: "validation", color: "#7a5ab0", points: true },
  ],
  undefined,
  true,
);
const speedChart = new LineChart($("speed-chart"), "samples/s", "step", [{ label: "samples/s", color: "#3a9a5a" }], { min: 0 });
let stepOffset = 0; // steps of earlier runs of the same model, so charts continue
let lastStep = 0;
let epochOffset = 0;
let lastEpoch = 0;
function resetCharts(): void {
  lossChart.clear();
  accChart.clear();
  speedChart.clear();
  stepOffset = lastStep = epochOffset = lastEpoch = 0;
}

const training = (on: boolean) => {
  ($("start") as HTMLButtonElement).disabled = on;
  ($("pause") as HTMLButtonElement).disabled = !on;
};
$("start").addEventListener("click", () => {
  training(true);
  trainStatus("training…");
  send({ type: "train", config: config() });
});
$("pause").addEventListener("click", () => send({ type: "pause" }));
$("reset").addEventListener("click", () => {
  send({ type: "pause" });
  send({ type: "build", config: config() });
  resetCharts();
});
$("backend").addEventListener("change", () => {
  backendLine = "switching backend…";
  showStatus();
  send({ type: "init", backend: value("backend") as BackendChoice });
});

// --- weights
$("save").addEventListener("click", () => send({ type: "save" }));
$("save-onnx").addEventListener("click", () => send({ type: "save", format: "onnx" }));
$("load").addEventListener("change", async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  send({ type: "load", bytes }, [bytes]);
});
function download(bytes: ArrayBuffer, fileName: string): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// --- Wasm vs JS: each backend in a fresh worker of its own, one after the other, on the same model
$("compare").addEventListener("click", async () => {
  send({ type: "pause" });
  const button = $("compare") as HTMLButtonElement;
  button.disabled = true;
  const rows: { label: string; value: number }[] = [];
  for (const backend of ["wasm-relaxed-simd", "wasm-simd", "wasm-scalar", "js"] as BackendChoice[]) {
    button.textContent = `timing ${backend}…`;
    const w = newWorker();
    const r = await new Promise<FromWorker>((resolve) => {
      w.onmessage = (e: MessageEvent<FromWorker>) => e.data.type !== "ready" && resolve(e.data);
      w.postMessage({ type: "speed", config: config(), backend } satisfies ToWorker);
    });
    w.terminate();
    if (r.type === "speed") rows.push({ label: r.backend, value: Math.round(r.samplesPerSecond) });
    else if (r.type === "error") rows.push({ label: `${backend} (${r.message})`, value: 0 });
  }
  button.disabled = false;
  button.textContent = "Wasm vs JS: time each backend on this model";
  const js = rows.find((r) => r.label === "js")?.value;
  const { barChart } = await import("./bars.js");
  await barChart($("compare-chart"), `${value("model")}, batch ${value("batch")}: training samples/s`, "samples/s", rows);
  $("compare-chart").dataset.rows = JSON.stringify(rows);
  if (js) $("compare-chart").append(`best wasm / js: ${(Math.max(...rows.map((r) => r.value)) / js).toFixed(1)}x`);
});

// --- draw, what it learns, shift
let conv: ConvTab | null = null; // once the page's backend is up (at the end)
const pad = new DrawPad($("pad") as HTMLCanvasElement, $("preview") as HTMLCanvasElement, (digit, ink) => {
  send({ type: "digit", pixels: digit });
  conv?.useDrawing(ink, 280);
});
$("clear").addEventListener("click", () => pad.clear());

function showVisuals(v: Visuals | null): void {
  if (!v) return;
  $("learns-note").textContent =
    v.kind === "mlp"
      ? "Each tile is one hidden unit of the first layer: its 784 weights as a 28x28 image, red where ink raises its response, blue where ink lowers it."
      : "The first convolution's filters (red positive, blue negative), and what each makes of the drawn digit after ReLU.";
  $("tiles-title").textContent =
    v.kind === "mlp" ? `first layer, ${v.tileCount} hidden units` : `${v.tileCount} filters, ${v.tileSize}x${v.tileSize}`;
  drawTiles($("tiles"), v.tiles, v.tileCount, v.tileSize, true);
  $("maps-title").textContent = v.maps ? "feature maps of the drawn digit" : "";
  if (v.maps) drawTiles($("maps"), v.maps, v.mapCount!, v.mapSize!, false);
  else $("maps").replaceChildren();
}

function shiftClasses(): void {
  ($("shift-class") as HTMLSelectElement).replaceChildren(...labels.map((l, i) => new Option(l, String(i))));
}
const shiftChart = new LineChart(
  $("shift-chart"),
  "confidence in the right class",
  "shift (pixels)",
  [
    { label: "MLP", color: "#4a7bd0", points: true },
    { label: "CNN", color: "#d0582e", points: true },
  ],
  { min: 0, max: 1 },
  true,
);
$("shift-run").addEventListener("click", () => send({ type: "shift", pixels: pad.digit, target: Number(value("shift-class")) }));

function tableRow(...cells: string[]): HTMLTableRowElement {
  const tr = document.createElement("tr");
  for (const c of cells) tr.insertCell().textContent = c;
  return tr;
}

new BenchTab($, () => new Worker(new URL("./bench-worker.ts", import.meta.url), { type: "module" }));

// --- the worker's answers
worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "ready":
      backendLine = `backend ${m.backend}, ${m.threads} thread${m.threads > 1 ? "s" : ""} (builds this browser runs: ${m.builds.join(", ")}; ${m.isolated ? "cross-origin isolated" : "not cross-origin isolated: one thread"})`;
      $("status").dataset.backend = m.backend;
      showStatus();
      return;
    case "data":
      dataLine = `${m.name}: ${m.train.toLocaleString()} training and ${m.test.toLocaleString()} test images, from ${m.source}${m.name === "mnist-sample" ? " (no full dataset was found, so this is the offline sample)" : ""}`;
      $("data-source").textContent = dataLine;
      showStatus();
      return;
    case "model":
      $("layers").replaceChildren(
        ...m.layers.map((l) => tableRow(l.name, l.formula)),
        tableRow("", `total ${m.total.toLocaleString()} parameters`),
      );
      return;
    case "progress":
      lastStep = stepOffset + m.step;
      lossChart.push(lastStep, m.loss);
      speedChart.push(lastStep, Math.round(m.samplesPerSecond));
      trainStatus(
        `training: epoch ${epochOffset + m.epoch}, step ${lastStep}, loss ${m.loss.toFixed(3)}, ${Math.round(m.samplesPerSecond).toLocaleString()} samples/s`,
      );
      return;
    case "epoch":
      lastEpoch = epochOffset + m.epoch;
      accChart.push(lastEpoch, m.testAccuracy * 100, m.validationAccuracy === undefined ? null : m.validationAccuracy * 100);
      if (m.validationAccuracy !== undefined)
        trainStatus(
          `training… epoch ${lastEpoch}: validation error ${(100 * (1 - m.validationAccuracy)).toFixed(2)}%, test error ${(100 * (1 - m.testAccuracy)).toFixed(2)}%`,
        );
      return;
    case "stopped": {
      training(false);
      stepOffset += m.steps;
      epochOffset = lastEpoch;
      const acc = m.testAccuracy === undefined ? "" : `, test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`;
      trainStatus(`stopped (${m.reason}) after ${m.steps} steps${acc}`);
      $("train-status").dataset.accuracy = String(m.testAccuracy ?? "");
      return;
    }
    case "prediction":
      showProbabilities($("probs"), m.probs, labels);
      showVisuals(m.visuals);
      return;
    case "shift": {
      const get = (kind: string) => m.series.find((s) => s.kind === kind)?.confidence ?? SHIFTS.map(() => null as unknown as number);
      shiftChart.set(SHIFTS, get("mlp"), get("cnn"));
      $("shift-note").textContent =
        m.series.length < 2
          ? "Train (or load) both an MLP and a CNN to see both curves."
          : `MLP: ${m.series[0].model}, CNN: ${m.series[1].model}`;
      $("shift-chart").dataset.series = JSON.stringify(m.series);
      return;
    }
    case "saved":
      download(m.bytes, m.fileName);
      return;
    case "loaded":
      trainStatus(`loaded ${m.name}: test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`);
      $("train-status").dataset.accuracy = String(m.testAccuracy);
      resetCharts();
      return;
    case "speed":
      return;
    case "error":
      training(false);
      trainStatus(`error: ${m.message}`);
      $("train-status").dataset.error = m.message;
      return;
  }
};

send({ type: "init", backend: "wasm" });
send({ type: "build", config: config() });
shiftClasses();
await loadManifest();
await init({ threads: 1 }); // the page's own backend, for the Convolutions tab
$("conv").dataset.backend = getBackend();
conv = new ConvTab($);
conv.useDrawing(pad.ink(), 280);
