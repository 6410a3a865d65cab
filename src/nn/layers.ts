// The layers: each a thin Module over an op of nn.functional, initialised as
// PyTorch does (Kaiming uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in),
// 1/sqrt(fan_in)) for weights and biases alike).
import { Tensor } from "../tensor.js";
import { empty, ones, zeros } from "../creation.js";
import { Module } from "./module.js";
import { kaimingUniform_, uniform_, fans, normal_ } from "./init.js";
import { fmtShape } from "../shape.js";
import { thousands } from "../format.js";
import * as F from "./functional.js";

/** A kernel size as PyTorch prints it: (3, 3). */
const tuple = (v: number | readonly number[]) => (typeof v === "number" ? `(${v}, ${v})` : `(${v.join(", ")})`);

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
  protected extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
  /** The lecture's count: (inputs + 1) * outputs. */
  paramFormula(): string {
    const n = this.numParameters();
    return this.bias !== null
      ? `(${this.inFeatures} + 1) * ${this.outFeatures} = ${thousands(n)}`
      : `${this.inFeatures} * ${this.outFeatures} = ${thousands(n)}`;
  }
}

function groupCount(op: string, inChannels: number, outChannels: number, groups: unknown): number {
  const g = positiveInt(op, "groups", groups ?? 1);
  if (inChannels % g !== 0 || outChannels % g !== 0) {
    throw new Error(`${op}: groups ${g} must divide inChannels ${inChannels} and outChannels ${outChannels}`);
  }
  return g;
}

function convRepr(inC: number, outC: number, weight: Tensor, o: F.ConvTranspose2dOptions, bias: boolean): string {
  const parts = [`${inC}, ${outC}, kernelSize=${tuple(weight.shape.slice(2))}`, `stride=${tuple(o.stride ?? 1)}`];
  if ((o.padding ?? 0) !== 0) parts.push(`padding=${tuple(o.padding!)}`);
  if ((o.outputPadding ?? 0) !== 0) parts.push(`outputPadding=${tuple(o.outputPadding!)}`);
  if ((o.dilation ?? 1) !== 1) parts.push(`dilation=${tuple(o.dilation!)}`);
  if ((o.groups ?? 1) !== 1) parts.push(`groups=${o.groups}`);
  if (!bias) parts.push("bias=false");
  return parts.join(", ");
}

/** What Conv2d and ConvTranspose2d share: the checks, a weight of `weightShape(kh, kw, groups)`, the bias, PyTorch's init. */
abstract class ConvBase extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: number | [number, number],
    readonly options: F.ConvTranspose2dOptions & { bias?: boolean },
    op: string,
    weightShape: (kh: number, kw: number, groups: number) => number[],
  ) {
    super();
    positiveInt(op, "inChannels", inChannels);
    positiveInt(op, "outChannels", outChannels);
    const groups = groupCount(op, inChannels, outChannels, options.groups);
    const [kh, kw] = typeof kernel === "number" ? [kernel, kernel] : kernel;
    positiveInt(op, "kernel", kh);
    positiveInt(op, "kernel", kw);
    this.weight = this.registerParameter("weight", empty(weightShape(kh, kw, groups)));
    this.bias = options.bias === false ? null : this.registerParameter("bias", empty([outChannels]));
    initWeightAndBias(this.weight, this.bias);
  }
  protected extraRepr(): string {
    return convRepr(this.inChannels, this.outChannels, this.weight, this.options, this.bias !== null);
  }
}

export class Conv2d extends ConvBase {
  constructor(
    inChannels: number,
    outChannels: number,
    kernel: number | [number, number],
    options: F.Conv2dOptions & { bias?: boolean } = {},
  ) {
    super(inChannels, outChannels, kernel, options, "Conv2d", (kh, kw, groups) => [outChannels, inChannels / groups, kh, kw]);
  }
  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, this.options);
  }
  /** The lecture's count: (kernel area * input channels + 1) * filters, ((2d + 1)^2 C + 1) T for a square kernel. */
  paramFormula(): string {
    const [, c, kh, kw] = this.weight.shape;
    const area = kh === kw ? `${kh}^2` : `${kh} * ${kw}`;
    const body = this.bias !== null ? `(${area} * ${c} + 1)` : `${area} * ${c}`;
    return `${body} * ${this.outChannels} = ${thousands(this.numParameters())}`;
  }
}

/** The transposed convolution (PyTorch's ConvTranspose2d): weight [in, out / groups, kh, kw]. */
export class ConvTranspose2d extends ConvBase {
  constructor(
    inChannels: number,
    outChannels: number,
    kernel: number | [number, number],
    options: F.ConvTranspose2dOptions & { bias?: boolean } = {},
  ) {
    super(inChannels, outChannels, kernel, options, "ConvTranspose2d", (kh, kw, groups) => [inChannels, outChannels / groups, kh, kw]);
  }
  forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, this.options);
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
  protected extraRepr(): string {
    return `kernelSize=${this.kernel}, stride=${this.options.stride ?? this.kernel}, padding=${this.options.padding ?? 0}`;
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
  protected extraRepr(): string {
    return `kernelSize=${this.kernel}, stride=${this.options.stride ?? this.kernel}, padding=${this.options.padding ?? 0}`;
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
  protected extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
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
  protected extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
  protected extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }
  protected extraRepr(): string {
    return `approximate='${this.approximate}'`;
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
  protected extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
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
  protected extraRepr(): string {
    return `dim=${this.dim}`;
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
  protected extraRepr(): string {
    return `p=${this.p}`;
  }
}

export interface BatchNormOptions {
  eps?: number;
  /** Weight of each batch in the running statistics; null for a cumulative average (PyTorch's momentum=None). */
  momentum?: number | null;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); without them eval uses the batch's. */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation as PyTorch's: batch statistics in training (updating
 * running_mean and running_var with momentum 0.1 and the unbiased variance,
 * and counting num_batches_tracked), running statistics in eval. The
 * buffers are in stateDict() under PyTorch's names.
 */
abstract class BatchNormBase extends Module {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions,
    private readonly kind: string,
    private readonly dims: readonly number[],
  ) {
    super();
    const name = kind;
    positiveInt(name, "numFeatures", numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (!(this.eps > 0)) throw new TypeError(`${name}: eps must be positive, got ${String(options.eps)}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new TypeError(`${name}: momentum must be in [0, 1] or null, got ${String(options.momentum)}`);
    }
    const affine = options.affine ?? true;
    this.weight = affine ? this.registerParameter("weight", ones([numFeatures])) : null;
    this.bias = affine ? this.registerParameter("bias", zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer("running_mean", zeros([numFeatures])) : null;
    this.runningVar = track ? this.registerBuffer("running_var", ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.registerBuffer("num_batches_tracked", zeros([])) : null;
  }
  forward(x: Tensor): Tensor {
    if (!this.dims.includes(x.shape.length) || x.shape[1] !== this.numFeatures) {
      const want = this.dims.map((d) => (d === 2 ? "[N, C]" : d === 3 ? "[N, C, L]" : "[N, C, H, W]")).join(" or ");
      throw new Error(`${this.kind}: input must be ${want} with C = ${this.numFeatures}, got ${fmtShape(x.shape)}`);
    }
    let step: number | undefined;
    if (this.training && this.numBatchesTracked !== null) {
      const v = this.numBatchesTracked._view();
      v[0] += 1;
      this.numBatchesTracked._written();
      step = v[0];
    }
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
      training: this.training || this.runningMean === null,
      momentum: this.momentum,
      eps: this.eps,
      step,
    });
  }
  protected extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.runningMean !== null}`;
  }
  paramFormula(): string | null {
    return this.weight === null ? null : `2 * ${this.numFeatures} = ${thousands(2 * this.numFeatures)}`;
  }
}

/** Over [N, C] or [N, C, L]: statistics per feature C. */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm1d", [2, 3]);
  }
}

/** Over [N, C, H, W]: statistics per channel C over the batch and the image. */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, "BatchNorm2d", [4]);
  }
}

/** Normalises over the last dims (normalizedShape), with a learnable weight and bias of that shape (elementwiseAffine). */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(
    normalizedShape: number | readonly number[],
    readonly options: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {},
  ) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    for (const n of this.normalizedShape) positiveInt("LayerNorm", "normalizedShape", n);
    const affine = options.elementwiseAffine ?? true;
    this.weight = affine ? this.registerParameter("weight", ones(this.normalizedShape)) : null;
    this.bias = affine && options.bias !== false ? this.registerParameter("bias", zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.options.eps ?? 1e-5);
  }
  protected extraRepr(): string {
    return `(${this.normalizedShape.join(", ")},), eps=${this.options.eps ?? 1e-5}, elementwiseAffine=${this.weight !== null}`;
  }
}

/** A table of numEmbeddings vectors of embeddingDim, initialised N(0, 1); forward looks up integer indices of any shape. */
export class Embedding extends Module {
  readonly weight: Tensor;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    readonly options: { paddingIdx?: number } = {},
  ) {
    super();
    positiveInt("Embedding", "numEmbeddings", numEmbeddings);
    positiveInt("Embedding", "embeddingDim", embeddingDim);
    const p = options.paddingIdx;
    if (p !== undefined && !(Number.isInteger(p) && p >= -numEmbeddings && p < numEmbeddings)) {
      throw new TypeError(`Embedding: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings}), got ${String(p)}`);
    }
    this.weight = this.registerParameter("weight", normal_(empty([numEmbeddings, embeddingDim])));
    if (p !== undefined) this.weight._view().fill(0, this.paddingIdx! * embeddingDim, (this.paddingIdx! + 1) * embeddingDim);
  }
  get paddingIdx(): number | null {
    const p = this.options.paddingIdx;
    return p === undefined ? null : p < 0 ? p + this.numEmbeddings : p;
  }
  /** input: a tensor of integer values (or nested arrays, an Int32Array) of any shape; the result adds a last dim. */
  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, this.paddingIdx);
  }
  protected extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ""}`;
  }
  paramFormula(): string {
    return `${this.numEmbeddings} * ${this.embeddingDim} = ${thousands(this.numParameters())}`;
  }
}

/** A list of modules registered as "0", "1", ... (PyTorch's ModuleList): for models that loop over their layers. */
export class ModuleList extends Module implements Iterable<Module> {
  private readonly items: Module[] = [];
  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  append(m: Module): this {
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
    return this;
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): Module | undefined {
    return this.items.at(i);
  }
  [Symbol.iterator](): Iterator<Module> {
    return this.items[Symbol.iterator]();
  }
  forward(): Tensor {
    throw new Error("ModuleList: a list has no forward; iterate over it in the forward of the model that holds it");
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
