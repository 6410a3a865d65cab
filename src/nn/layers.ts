// The layers: each a thin Module over an op of nn.functional, initialised as
// PyTorch does (Kaiming uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) for weights and biases alike).
import { Tensor } from "../tensor.js";
import { empty } from "../creation.js";
import { Module } from "./module.js";
import { kaimingUniform_, uniform_, fans } from "./init.js";
import * as F from "./functional.js";

function positiveInt(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new TypeError(`${op}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

function initWeightAndBias(w: Tensor, b: Tensor | null): void {
  kaimingUniform_(w, { a: Math.sqrt(5) });
  if (b !== null) {
    const bound = 1 / Math.sqrt(fans(w)[0]);
    uniform_(b, -bound, bound);
  }
}

export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: { bias?: boolean } = {},
  ) {
    super();
    positiveInt("Linear", "inFeatures", inFeatures);
    positiveInt("Linear", "outFeatures", outFeatures);
    this.weight = this.registerParameter("weight", empty([outFeatures, inFeatures]));
    this.bias = options.bias === false ? null : this.registerParameter("bias", empty([outFeatures]));
    initWeightAndBias(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: number | [number, number],
    readonly options: F.Conv2dOptions & { bias?: boolean } = {},
  ) {
    super();
    positiveInt("Conv2d", "inChannels", inChannels);
    positiveInt("Conv2d", "outChannels", outChannels);
    const [kh, kw] = typeof kernel === "number" ? [kernel, kernel] : kernel;
    positiveInt("Conv2d", "kernel", kh);
    positiveInt("Conv2d", "kernel", kw);
    this.weight = this.registerParameter("weight", empty([outChannels, inChannels, kh, kw]));
    this.bias = options.bias === false ? null : this.registerParameter("bias", empty([outChannels]));
    initWeightAndBias(this.weight, this.bias);
  }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
}

export class MaxPool2d extends Module {
  constructor(
    readonly kernel: number | [number, number],
    readonly options: F.Pool2dOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernel, this.options);
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernel: number | [number, number],
    readonly options: F.Pool2dOptions = {},
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernel, this.options);
  }
}

/** [N, C, H, W] -> [N, C, 1, 1] (PyTorch's AdaptiveAvgPool2d(1)). */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    return F.globalAvgPool2d(x);
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
}

export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
}

export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }
}

/** Returns its input: a placeholder that keeps a model's layout (PyTorch's nn.Identity). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

/** Zeroes elements with probability p while training (seeded by manualSeed). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new TypeError(`Dropout: p must be in [0, 1], got ${String(p)}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}

/** Children named "0", "1", ... as in PyTorch; forward chains them. */
export class Sequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this.layers) {
      const next = m.forward(h);
      // Intermediates are freed here (the tape holds what backward needs).
      if (h !== x && next !== h) h.dispose();
      h = next;
    }
    return h;
  }
}
