// The models the demo trains: the library's four reference models, or a small
// Sequential written as text ("linear 64, relu, linear 10";
// "conv 8 5 pad 2, relu, pool 2, flatten, linear 10"), and each layer's
// parameter count with the lecture's formula.
import { nn, referenceModel, takesImages, ALL_MODEL_NAMES, RECIPES, type InputScaling, type ModelName, type RecipeName } from "wasmgrad";
import type { LayerInfo } from "./protocol.js";

export const DEFAULT_SPEC = "conv 8 5 pad 2, relu, pool 2, flatten, linear 64, relu, linear 10";

export interface BuiltModel {
  /** A reference model's name, "custom", or "recipe:" and a recipe's name. */
  name: string;
  /** The text form of a custom model ("" for a reference model). */
  spec: string;
  model: nn.Sequential;
  /** Takes [N, 1, 28, 28] (else [N, 784]). */
  images: boolean;
  /** How its inputs are scaled (the recipes' are in [-1, 1]). */
  inputs: InputScaling;
  /** The recipe it trains by, if any. */
  recipe?: RecipeName;
}

/** The recipe a model choice names ("recipe:ciresan2010"), or undefined. */
export function recipeOf(name: string): RecipeName | undefined {
  const r = name.startsWith("recipe:") ? name.slice(7) : "";
  return r in RECIPES ? (r as RecipeName) : undefined;
}

export function buildModel(name: string, spec: string, inputs: InputScaling = "standardized"): BuiltModel {
  const recipe = recipeOf(name);
  if (recipe) {
    const r = RECIPES[recipe];
    return { name, spec: "", model: referenceModel(r.model), images: takesImages(r.model), inputs: r.inputs, recipe };
  }
  if ((ALL_MODEL_NAMES as string[]).includes(name)) {
    return { name, spec: "", model: referenceModel(name as ModelName), images: takesImages(name as ModelName), inputs };
  }
  if (name !== "custom") throw new Error(`unknown model '${name}'`);
  return { name: "custom", spec, ...parseSpec(spec), inputs };
}

/** Parses the text form, following the shape from a 28x28 image so each layer's input size is known. */
export function parseSpec(spec: string): { model: nn.Sequential; images: boolean } {
  const words = spec
    .split(",")
    .map((s) => s.trim().toLowerCase().split(/\s+/))
    .filter((w) => w[0]);
  if (words.length === 0) throw new Error("the model is empty: write layers such as 'linear 64, relu, linear 10'");
  const images = words[0][0] === "conv";
  // [channels, height, width] while images flow, then [features]
  let shape: number[] = images ? [1, 28, 28] : [784];
  const layers: nn.Module[] = [];
  const int = (w: string[], i: number, what: string, fallback?: number): number => {
    const v = w[i] === undefined ? fallback : Number(w[i]);
    if (v === undefined || !Number.isInteger(v) || v < 0) throw new Error(`'${w.join(" ")}': ${what} must be a whole number`);
    return v;
  };
  for (const w of words) {
    switch (w[0]) {
      case "linear": {
        if (shape.length !== 1) throw new Error(`'${w.join(" ")}' needs flat input: put 'flatten' before it`);
        const out = int(w, 1, "the number of outputs");
        layers.push(new nn.Linear(shape[0], out));
        shape = [out];
        break;
      }
      case "conv": {
        if (shape.length !== 3) throw new Error(`'${w.join(" ")}' needs images: convolutions come before 'flatten'`);
        const out = int(w, 1, "the number of filters"),
          k = int(w, 2, "the kernel size", 3),
          pad = w[3] === "pad" ? int(w, 4, "the padding") : 0;
        const size = shape[1] + 2 * pad - k + 1;
        if (size < 1) throw new Error(`'${w.join(" ")}': a ${k}x${k} kernel does not fit ${shape[1]}x${shape[2]}`);
        layers.push(new nn.Conv2d(shape[0], out, k, { padding: pad }));
        shape = [out, size, size];
        break;
      }
      case "pool": {
        if (shape.length !== 3) throw new Error(`'${w.join(" ")}' needs images`);
        const k = int(w, 1, "the pool size", 2);
        layers.push(new nn.MaxPool2d(k));
        shape = [shape[0], Math.floor(shape[1] / k), Math.floor(shape[2] / k)];
        break;
      }
      case "flatten":
        layers.push(new nn.Flatten());
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case "relu":
        layers.push(new nn.ReLU());
        break;
      case "tanh":
        layers.push(new nn.Tanh());
        break;
      case "sigmoid":
        layers.push(new nn.Sigmoid());
        break;
      default:
        throw new Error(`unknown layer '${w[0]}' (use linear, conv, pool, flatten, relu, tanh, sigmoid)`);
    }
  }
  if (shape.length !== 1 || shape[0] !== 10)
    throw new Error(`the model must end with 10 outputs (one per class), it ends with ${shape.join("x")}`);
  return { model: new nn.Sequential(...layers), images };
}

const n = (x: number) => x.toLocaleString("en-US");

/** Each layer with parameters, counted as in the lecture. */
export function layerInfo(model: nn.Sequential): LayerInfo[] {
  return model.layers.flatMap((m, i): LayerInfo[] => {
    if (m instanceof nn.Linear) {
      const [out, inp] = m.weight.shape;
      const params = (inp + 1) * out;
      return [{ name: `${i}: Linear(${inp}, ${out})`, params, formula: `(${n(inp)} + 1) * ${n(out)} = ${n(params)}` }];
    }
    if (m instanceof nn.Conv2d) {
      const [T, C, k] = m.weight.shape;
      const params = (k * k * C + 1) * T;
      // an odd kernel is (2d + 1) wide: d pixels each side of the centre
      const side = k % 2 === 1 ? `(2*${(k - 1) / 2} + 1)^2` : `${k}^2`;
      return [{ name: `${i}: Conv2d(${C}, ${T}, ${k}x${k})`, params, formula: `(${side} * ${C} + 1) * ${T} = ${n(params)}` }];
    }
    return [];
  });
}
