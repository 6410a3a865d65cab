// The messages between the page and the training worker. The worker owns the
// library's backend, the datasets and every model; the page only draws.

export type BackendChoice = "wasm" | "wasm-relaxed-simd" | "wasm-simd" | "wasm-scalar" | "js";

export interface TrainConfig {
  /** A reference model's name ("mlp-s", ...), "custom" with `spec`, or "recipe:" and a recipe's name (its optimizer, schedule, deformations, inputs and validation split; lr, batch size and epochs from here). */
  model: string;
  spec: string;
  optimizer: "sgd" | "adam";
  lr: number;
  batchSize: number;
  augment: boolean;
  epochs: number;
  /** Stop after this many steps (0: run the epochs). */
  steps: number;
}

export interface LayerInfo {
  name: string;
  params: number;
  /** How the count comes about, as in the lecture: "(784 + 1) * 128 = 100,480". */
  formula: string;
}

export interface Visuals {
  kind: "mlp" | "cnn";
  /** MLP: the first layer's weights of up to 64 hidden units, each 28x28. CNN: the first convolution's filters. */
  tiles: Float32Array;
  tileCount: number;
  tileSize: number;
  /** CNN: the first convolution's feature maps (after ReLU) of the drawn digit. */
  maps?: Float32Array;
  mapCount?: number;
  mapSize?: number;
}

export type ToWorker =
  | { type: "init"; backend: BackendChoice }
  | { type: "dataset"; name: string; source: string; urls: Record<string, string> }
  | { type: "files"; files: { name: string; bytes: ArrayBuffer }[] }
  | { type: "build"; config: TrainConfig }
  | { type: "train"; config: TrainConfig }
  | { type: "pause" }
  | { type: "digit"; pixels: Float32Array }
  | { type: "shift"; pixels: Float32Array; target: number }
  | { type: "save"; format?: "safetensors" | "onnx" }
  | { type: "load"; bytes: ArrayBuffer }
  | { type: "speed"; config: TrainConfig; backend: BackendChoice };

export type FromWorker =
  | { type: "ready"; backend: string; threads: number; builds: string[]; isolated: boolean }
  | { type: "data"; name: string; source: string; train: number; test: number }
  | { type: "model"; name: string; layers: LayerInfo[]; total: number; images: boolean }
  | { type: "progress"; step: number; epoch: number; loss: number; samplesPerSecond: number }
  | { type: "epoch"; epoch: number; loss: number; testAccuracy: number; validationAccuracy?: number; seconds: number }
  | { type: "stopped"; reason: string; steps: number; testAccuracy?: number }
  | { type: "prediction"; probs: Float32Array; visuals: Visuals | null }
  | { type: "shift"; series: { model: string; kind: "mlp" | "cnn"; confidence: number[] }[] }
  | { type: "saved"; bytes: ArrayBuffer; fileName: string }
  | { type: "loaded"; name: string; testAccuracy: number }
  | { type: "speed"; backend: string; samplesPerSecond: number }
  | { type: "error"; message: string };

/** Horizontal shifts of the Shift tab, in pixels. */
export const SHIFTS = [-4, -3, -2, -1, 0, 1, 2, 3, 4];
