// io.toOnnx: a module as an ONNX model. One forward pass in eval mode runs
// under the op layer's tracing hook (ops/trace.ts); each op it reports
// becomes ONNX nodes, parameters and buffers become initializers under their
// state-dict names, other tensors and numbers constants. Dim 0 of the example
// input is the batch: the exporter follows which tensors carry it, writes
// the shapes of Reshape and Expand so the batch stays free, and where an op
// mixes the batch into other dims (or moves it) exports the example's batch
// as fixed, and says so in the metadata. An op without an ONNX form here is
// refused by name, never written wrongly.
import type { Module } from "../../nn/module.js";
import { Tensor, isTensor } from "../../tensor.js";
import { noGrad } from "../../autograd/grad-mode.js";
import { tidy } from "../../tidy.js";
import { traceOps, type OpEvent } from "../../ops/trace.js";
import { sizeOf } from "../../shape.js";
import { toIndex } from "../../ops/indexing.js";
import { encodeModel, DataType, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from "./model.js";
import { OPSET_RANGE } from "./import.js";

export interface ToOnnxOptions {
  /** The opset written, 13 to 20 (default 17). Gelu is a node of its own from 20, its formula below. */
  opset?: number;
  /** Metadata properties written with the model (the CLI's dataset and model name). */
  metadata?: Record<string, string>;
}

class ExportError extends Error {}
const fail = (message: string): never => {
  throw new ExportError(`toOnnx: ${message}`);
};

type Attrs = Record<string, number | number[] | string | OnnxTensor>;

/** Attributes by kind of value; a key "f:name" marks a float attribute whose value may be whole (alpha 1, epsilon 1). */
function attributes(a: Attrs): Map<string, OnnxAttribute> {
  const m = new Map<string, OnnxAttribute>();
  for (const [key, v] of Object.entries(a)) {
    const float = key.startsWith("f:"),
      k = float ? key.slice(2) : key;
    if (typeof v === "string") m.set(k, { type: "string", value: v });
    else if (Array.isArray(v)) m.set(k, { type: "ints", value: v });
    else if (typeof v === "number") m.set(k, Number.isInteger(v) && !float ? { type: "int", value: v } : { type: "float", value: v });
    else m.set(k, { type: "tensor", value: v });
  }
  return m;
}

const pairOf = (v: unknown, fallback: number): [number, number] => {
  if (v === undefined || v === null) return [fallback, fallback];
  return typeof v === "number" ? [v, v] : [(v as number[])[0], (v as number[])[1]];
};

/** The graph as it is built: nodes, initializers, each tensor's name and whether its dim 0 is the batch. */
class Graph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly names = new Map<Tensor, string>();
  private readonly batched = new Set<Tensor>();
  private readonly written = new Set<string>();
  private count = 0;
  /** Why the batch had to be fixed (null while it is free). */
  fixedBatch: string | null = null;

  constructor(
    readonly opset: number,
    private readonly state: Map<Tensor, string>,
  ) {}

  /** A tensor's name: a node's output, a parameter's or buffer's state-dict name, or a constant made now. */
  name(t: Tensor): string {
    const known = this.names.get(t);
    if (known !== undefined) return known;
    const stateName = this.state.get(t);
    const name = stateName ?? this.fresh("const");
    this.initializer(name, t.shape, t.data());
    this.names.set(t, name);
    return name;
  }

  private initializer(name: string, dims: readonly number[], data: Float32Array | number[], dataType: number = DataType.FLOAT): void {
    if (this.written.has(name)) return;
    this.written.add(name);
    this.initializers.push({ name, dataType, dims: [...dims], data });
  }

  fresh(kind: string): string {
    return `/${kind}_${this.count++}`;
  }

  /** A float constant tensor (BatchNorm's or LayerNorm's missing affine terms). */
  floats(data: Float32Array, dims: readonly number[]): string {
    const name = this.fresh("const");
    this.initializer(name, dims, data);
    return name;
  }

  /** A float constant (a number operand). */
  scalar(v: number): string {
    const name = this.fresh("const");
    this.initializer(name, [], new Float32Array([v]));
    return name;
  }

  /** An int64 constant (shapes, axes, pads, indices). */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.fresh("ints");
    this.initializer(name, dims, [...values], DataType.INT64);
    return name;
  }

  /** Adds a node; its output is named for the op. */
  node(opType: string, inputs: string[], attrs: Attrs = {}): string {
    const out = this.fresh(opType);
    this.nodes.push({ name: out.slice(1), opType, domain: "", inputs, outputs: [out], attributes: attributes(attrs) });
    return out;
  }

  /** Binds an op's output tensor to the value that computes it; `batch`: whether its dim 0 is still the batch. */
  bind(t: Tensor, name: string, batch: boolean): void {
    this.names.set(t, name);
    if (batch) this.batched.add(t);
  }

  isBatched(t: unknown): boolean {
    return isTensor(t) && this.batched.has(t);
  }

  /** The batch can no longer be followed: the model is written for the example's batch. */
  fix(reason: string): void {
    this.fixedBatch ??= reason;
  }

  /** Whether the graph computes t (the input or an op's output), rather than holding it as a constant. */
  computes(t: Tensor): boolean {
    const name = this.names.get(t);
    return name !== undefined && !this.written.has(name);
  }
}

function operand(g: Graph, v: unknown, op: string): string {
  if (typeof v === "number") return g.scalar(v);
  if (isTensor(v)) return g.name(v);
  return fail(`${op}: an operand of ${typeof v} cannot be written`);
}

/** Whether the op's output keeps dim 0 as the batch, given the first input's. */
function keepsBatch(g: Graph, e: OpEvent): boolean {
  return g.isBatched(e.inputs[0]);
}

const normAxis = (a: number, rank: number) => (a < 0 ? a + rank : a);

/** The shape a Reshape writes: the output's, with dim 0 copied from the input (0) while it is the batch. */
function reshapeTo(g: Graph, e: OpEvent, x: Tensor, out: Tensor): void {
  const batch = g.isBatched(x) && out.shape.length > 0 && out.shape[0] === x.shape[0];
  if (g.isBatched(x) && !batch) g.fix(`${e.op} to [${out.shape.join(", ")}] mixes the batch into other dims`);
  const shape = out.shape.map((d, i) => (i === 0 && batch ? 0 : d));
  g.bind(out, g.node("Reshape", [g.name(x), g.ints(shape)]), batch);
}

const UNARY: Record<string, string> = {
  neg: "Neg",
  exp: "Exp",
  log: "Log",
  sqrt: "Sqrt",
  relu: "Relu",
  sigmoid: "Sigmoid",
  tanh: "Tanh",
  abs: "Abs",
  erf: "Erf",
};
const BINARY: Record<string, string> = { add: "Add", sub: "Sub", mul: "Mul", div: "Div", pow: "Pow", maximum: "Max", minimum: "Min" };
const COMPARISON: Record<string, [string, boolean]> = {
  eq: ["Equal", false],
  ne: ["Equal", true],
  gt: ["Greater", false],
  ge: ["GreaterOrEqual", false],
  lt: ["Less", false],
  le: ["LessOrEqual", false],
};
const REDUCE: Record<string, [string, number]> = {
  sum: ["ReduceSum", 13],
  mean: ["ReduceMean", 18],
  max: ["ReduceMax", 18],
  min: ["ReduceMin", 18],
  logsumexp: ["ReduceLogSumExp", 18],
};

/** One traced op as nodes; a batched input whose output is not followed as batched fixes the batch. */
function write(g: Graph, e: OpEvent): void {
  writeOp(g, e);
  const outs = Array.isArray(e.output) ? e.output : [e.output];
  if (e.inputs.some((t) => g.isBatched(t)) && outs.some((t) => !g.isBatched(t)))
    g.fix(`${e.op} to [${outs[0].shape.join(", ")}] loses track of the batch`);
}

function writeOp(g: Graph, e: OpEvent): void {
  const a = e.attrs;
  const out = e.output as Tensor;
  const x = e.inputs[0] as Tensor;
  const bind = (name: string, batch = keepsBatch(g, e)) => g.bind(out, name, batch);
  if (e.op in UNARY) return bind(g.node(UNARY[e.op], [g.name(x)]));
  if (e.op in BINARY) {
    const [p, q] = e.inputs;
    const batch = g.isBatched(p) || g.isBatched(q);
    return bind(g.node(BINARY[e.op], [operand(g, p, e.op), operand(g, q, e.op)]), batch && out.shape.length > 0);
  }
  if (e.op in COMPARISON) {
    const [opType, negate] = COMPARISON[e.op];
    const [p, q] = e.inputs;
    let v = g.node(opType, [operand(g, p, e.op), operand(g, q, e.op)]);
    if (negate) v = g.node("Not", [v]);
    return bind(g.node("Cast", [v], { to: DataType.FLOAT }), g.isBatched(p) || g.isBatched(q));
  }
  if (e.op in REDUCE) return reduce(g, e, REDUCE[e.op]);
  switch (e.op) {
    case "linear": {
      const [, w, b] = e.inputs as [Tensor, Tensor, Tensor | null];
      if (x.shape.length === 2) {
        const inputs = [g.name(x), g.name(w), ...(b ? [g.name(b)] : [])];
        return bind(g.node("Gemm", inputs, { transB: 1 }));
      }
      const y = g.node("MatMul", [g.name(x), g.node("Transpose", [g.name(w)], { perm: [1, 0] })]);
      return bind(b ? g.node("Add", [y, g.name(b)]) : y);
    }
    case "matmul":
      return bind(g.node("MatMul", [g.name(x), g.name(e.inputs[1] as Tensor)]), keepsBatch(g, e) && x.shape.length > 1);
    case "conv2d":
    case "convTranspose2d": {
      const [, w, b] = e.inputs as [Tensor, Tensor, Tensor | null];
      const o = (a.options ?? {}) as Record<string, unknown>;
      const [ph, pw] = pairOf(o.padding, 0);
      const attrs: Attrs = {
        kernel_shape: w.shape.slice(2),
        strides: pairOf(o.stride, 1),
        pads: [ph, pw, ph, pw],
        dilations: pairOf(o.dilation, 1),
        group: (o.groups as number | undefined) ?? 1,
      };
      if (e.op === "convTranspose2d") attrs.output_padding = pairOf(o.outputPadding, 0);
      return bind(g.node(e.op === "conv2d" ? "Conv" : "ConvTranspose", [g.name(x), g.name(w), ...(b ? [g.name(b)] : [])], attrs));
    }
    case "maxPool2d":
    case "avgPool2d": {
      const o = (a.options ?? {}) as Record<string, unknown>;
      const kernel = pairOf(a.kernel, 1);
      const [ph, pw] = pairOf(o.padding, 0);
      const attrs: Attrs = { kernel_shape: kernel, strides: pairOf(o.stride ?? a.kernel, 1), pads: [ph, pw, ph, pw] };
      if (e.op === "avgPool2d") attrs.count_include_pad = 1; // PyTorch's default, as avgPool2d divides
      return bind(g.node(e.op === "maxPool2d" ? "MaxPool" : "AveragePool", [g.name(x)], attrs));
    }
    case "globalAvgPool2d":
      return bind(g.node("GlobalAveragePool", [g.name(x)]));
    case "leakyRelu":
      return bind(g.node("LeakyRelu", [g.name(x)], { "f:alpha": a.negativeSlope as number }));
    case "elu":
      return bind(g.node("Elu", [g.name(x)], { "f:alpha": a.alpha as number }));
    case "clamp": {
      const lo = a.min ?? null,
        hi = a.max ?? null;
      return bind(g.node("Clip", [g.name(x), lo === null ? "" : g.scalar(lo as number), hi === null ? "" : g.scalar(hi as number)]));
    }
    case "gelu":
      return bind(gelu(g, g.name(x), a.approximate as string));
    case "silu":
      return bind(g.node("Mul", [g.name(x), g.node("Sigmoid", [g.name(x)])]));
    case "softplus": {
      const beta = a.beta as number;
      if (beta === 1) return bind(g.node("Softplus", [g.name(x)]));
      return bind(g.node("Div", [g.node("Softplus", [g.node("Mul", [g.name(x), g.scalar(beta)])]), g.scalar(beta)]));
    }
    case "softmax":
    case "logSoftmax": {
      const dim = normAxis(a.dim as number, x.shape.length);
      return bind(g.node(e.op === "softmax" ? "Softmax" : "LogSoftmax", [g.name(x)], { axis: dim }));
    }
    case "dropout":
      if (a.training && (a.p as number) > 0)
        fail(
          "dropout ran in training mode in the traced forward (functional dropout trains unless told training = false; nn.Dropout follows the module's mode)",
        );
      // in eval mode dropout passes its input on
      return g.bind(out, g.name(x), keepsBatch(g, e));
    case "detach":
    case "clone":
      // nothing to compute in eval mode: the output is the input's value
      return g.bind(out, g.name(x), keepsBatch(g, e));
    case "reshape":
      return reshapeTo(g, e, x, out);
    case "flatten": {
      const start = normAxis((a.startDim as number) ?? 0, x.shape.length),
        end = normAxis((a.endDim as number) ?? -1, x.shape.length);
      if (start === 1 && end === x.shape.length - 1) return bind(g.node("Flatten", [g.name(x)], { axis: 1 }));
      return reshapeTo(g, e, x, out);
    }
    case "transpose":
    case "permute": {
      const rank = x.shape.length;
      let perm: number[];
      if (e.op === "permute") perm = (a.dims as (number | number[])[]).flat().map((d) => normAxis(d, rank));
      else {
        perm = x.shape.map((_, i) => i);
        const [d0, d1] = [normAxis(a.dim0 as number, rank), normAxis(a.dim1 as number, rank)];
        [perm[d0], perm[d1]] = [perm[d1], perm[d0]];
      }
      if (g.isBatched(x) && perm[0] !== 0) g.fix(`${e.op} moves the batch out of dim 0`);
      return bind(g.node("Transpose", [g.name(x)], { perm }), keepsBatch(g, e) && perm[0] === 0);
    }
    case "unsqueeze": {
      const dim = normAxis(a.dim as number, x.shape.length + 1);
      if (g.isBatched(x) && dim === 0) g.fix("unsqueeze(0) moves the batch out of dim 0");
      return bind(g.node("Unsqueeze", [g.name(x), g.ints([dim])]), keepsBatch(g, e) && dim > 0);
    }
    case "squeeze": {
      const rank = x.shape.length;
      const named =
        a.dim === undefined || a.dim === null ? null : (Array.isArray(a.dim) ? a.dim : [a.dim]).map((d: number) => normAxis(d, rank));
      const gone = x.shape.flatMap((d, i) => (d === 1 && (named === null || named.includes(i)) ? [i] : []));
      if (g.isBatched(x) && gone.includes(0)) g.fix("squeeze removes the batch dim");
      return bind(gone.length ? g.node("Squeeze", [g.name(x), g.ints(gone)]) : g.name(x), keepsBatch(g, e) && !gone.includes(0));
    }
    case "expand": {
      const batch = g.isBatched(x) && out.shape.length === x.shape.length && out.shape[0] === x.shape[0];
      const shape = out.shape.map((d, i) => (i === 0 && batch ? 1 : d));
      return bind(g.node("Expand", [g.name(x), g.ints(shape)]), batch);
    }
    case "cat":
    case "stack": {
      const parts = e.inputs as Tensor[];
      const rank = out.shape.length;
      const dim = normAxis(a.dim as number, rank);
      let names = parts.map((t) => g.name(t));
      if (e.op === "stack") names = names.map((n) => g.node("Unsqueeze", [n, g.ints([dim])]));
      const batch = parts.every((t) => g.isBatched(t)) && dim > 0;
      if (parts.some((t) => g.isBatched(t)) && !batch) g.fix(`${e.op} along dim ${dim} joins the batch`);
      return bind(g.node("Concat", names, { axis: dim }), batch);
    }
    case "narrow": {
      const dim = normAxis(a.dim as number, x.shape.length);
      const start = (a.start as number) < 0 ? (a.start as number) + x.shape[dim] : (a.start as number);
      if (g.isBatched(x) && dim === 0) g.fix("narrow along dim 0 cuts the batch");
      return bind(
        g.node("Slice", [g.name(x), g.ints([start]), g.ints([start + (a.length as number)]), g.ints([dim])]),
        keepsBatch(g, e) && dim > 0,
      );
    }
    case "split":
    case "chunk": {
      const parts = e.output as Tensor[];
      const dim = normAxis(a.dim as number, x.shape.length);
      if (g.isBatched(x) && dim === 0) g.fix(`${e.op} along dim 0 cuts the batch`);
      let start = 0;
      for (const p of parts) {
        const end = start + p.shape[dim];
        g.bind(p, g.node("Slice", [g.name(x), g.ints([start]), g.ints([end]), g.ints([dim])]), keepsBatch(g, e) && dim > 0);
        start = end;
      }
      return;
    }
    case "pad": {
      const pads = a.pads as number[];
      const rank = x.shape.length;
      const begin = new Array(rank).fill(0),
        end = new Array(rank).fill(0);
      for (let i = 0; i < pads.length / 2; i++) {
        begin[rank - 1 - i] = pads[2 * i];
        end[rank - 1 - i] = pads[2 * i + 1];
      }
      if (g.isBatched(x) && (begin[0] || end[0])) g.fix("pad changes the batch dim");
      return bind(
        g.node("Pad", [g.name(x), g.ints([...begin, ...end]), g.scalar((a.value as number) ?? 0)]),
        keepsBatch(g, e) && !begin[0] && !end[0],
      );
    }
    case "indexSelect": {
      constantIndices(g, e.op, a.index);
      const dim = normAxis(a.dim as number, x.shape.length);
      const idx = toIndex("indexSelect", a.index, x.shape[dim]);
      if (g.isBatched(x) && dim === 0) g.fix("indexSelect along dim 0 picks from the batch");
      return bind(g.node("Gather", [g.name(x), g.ints(Array.from(idx.values))], { axis: dim }), keepsBatch(g, e) && dim > 0);
    }
    case "gather": {
      constantIndices(g, e.op, a.index);
      const dim = normAxis(a.dim as number, x.shape.length);
      const idx = toIndex("gather", a.index, x.shape[dim]);
      if (g.isBatched(x)) g.fix("gather takes indices of the example's batch");
      return bind(g.node("GatherElements", [g.name(x), g.ints(Array.from(idx.values), idx.shape)], { axis: dim }), false);
    }
    case "embedding": {
      constantIndices(g, e.op, a.input);
      const w = e.inputs[0] as Tensor;
      const idx = toIndex("embedding", a.input, w.shape[0]);
      return bind(g.node("Gather", [g.name(w), g.ints(Array.from(idx.values), idx.shape)], { axis: 0 }), false);
    }
    case "where": {
      const [c, p, q] = e.inputs;
      const cond = g.node("Cast", [operand(g, c, "where")], { to: DataType.BOOL });
      return bind(
        g.node("Where", [cond, operand(g, p, "where"), operand(g, q, "where")]),
        [c, p, q].some((t) => g.isBatched(t)),
      );
    }
    case "batchNorm": {
      const [, mean, variance, weight, bias] = e.inputs as (Tensor | null)[];
      const o = (a.options ?? {}) as Record<string, unknown>;
      if (o.training === true)
        fail(
          "batchNorm ran in training mode in the traced forward (batch statistics): pass training = false, or use nn.BatchNorm, which follows the module's mode",
        );
      if (mean === null || variance === null)
        fail("batchNorm without running statistics uses the batch's own in eval mode, which ONNX's BatchNormalization cannot");
      const C = x.shape[1];
      const ones = () => g.floats(new Float32Array(C).fill(1), [C]);
      const zeros = () => g.floats(new Float32Array(C), [C]);
      const momentum = o.momentum === null || o.momentum === undefined ? 0.1 : (o.momentum as number);
      return bind(
        g.node(
          "BatchNormalization",
          [g.name(x), weight ? g.name(weight) : ones(), bias ? g.name(bias) : zeros(), g.name(mean!), g.name(variance!)],
          {
            "f:epsilon": (o.eps as number | undefined) ?? 1e-5,
            "f:momentum": 1 - momentum,
          },
        ),
      );
    }
    case "layerNorm": {
      const [, weight, bias] = e.inputs as (Tensor | null)[];
      if (g.opset < 17) fail(`layerNorm is ONNX's LayerNormalization from opset 17; this export writes opset ${g.opset}`);
      const shape = typeof a.normalizedShape === "number" ? [a.normalizedShape] : (a.normalizedShape as number[]);
      const n = sizeOf(shape);
      const scale = weight ? g.name(weight) : g.floats(new Float32Array(n).fill(1), shape);
      return bind(
        g.node("LayerNormalization", [g.name(x), scale, ...(bias ? [g.name(bias)] : [])], {
          axis: -shape.length,
          "f:epsilon": (a.eps as number) ?? 1e-5,
        }),
      );
    }
    case "argmax": {
      const dim = a.dim as number | undefined;
      if (dim === undefined) {
        if (g.isBatched(x)) g.fix("argmax over all dims mixes the batch");
        const flat = g.node("Reshape", [g.name(x), g.ints([-1])]);
        return bind(g.node("Cast", [g.node("ArgMax", [flat], { axis: 0, keepdims: 0 })], { to: DataType.FLOAT }), false);
      }
      const d = normAxis(dim, x.shape.length);
      if (g.isBatched(x) && d === 0) g.fix("argmax along dim 0 reduces the batch");
      return bind(
        g.node("Cast", [g.node("ArgMax", [g.name(x)], { axis: d, keepdims: a.keepDim ? 1 : 0 })], { to: DataType.FLOAT }),
        keepsBatch(g, e) && d > 0,
      );
    }
    default:
      return fail(noForm(e.op));
  }
}

/** Indices are written as constants: refused when the forward computed them (they would not follow the input). */
function constantIndices(g: Graph, op: string, index: unknown): void {
  if (isTensor(index) && g.computes(index))
    fail(`${op} takes indices the forward computed; they would be written as the example's constants`);
}

function noForm(op: string): string {
  if (op.endsWith("_")) return `the forward pass modifies a tensor in place (${op}), which an ONNX graph cannot express`;
  if (/Loss$|^crossEntropy$/.test(op)) return `${op} is a loss: export the model, not its training objective`;
  return `op ${op} has no ONNX form here`;
}

function reduce(g: Graph, e: OpEvent, [opType, axesInputFrom]: [string, number]): void {
  const x = e.inputs[0] as Tensor;
  const dim = e.attrs.dim as number | undefined;
  const rank = x.shape.length;
  const axes = dim === undefined ? x.shape.map((_, i) => i) : [normAxis(dim, rank)];
  const keep = dim !== undefined && e.attrs.keepDim ? 1 : 0;
  if (g.isBatched(x) && axes.includes(0)) g.fix(`${e.op} over dim 0 reduces the batch`);
  const inputs = [g.name(x)];
  const attrs: Attrs = { keepdims: keep };
  if (g.opset >= axesInputFrom) inputs.push(g.ints(axes));
  else attrs.axes = axes;
  g.bind(e.output as Tensor, g.node(opType, inputs, attrs), g.isBatched(x) && !axes.includes(0));
}

/** GELU: a node of its own from opset 20, below it the formula (erf, or tanh for approximate "tanh"). */
function gelu(g: Graph, x: string, approximate: string): string {
  if (g.opset >= 20) return g.node("Gelu", [x], { approximate });
  let inner: string;
  if (approximate === "tanh") {
    const cube = g.node("Mul", [g.node("Mul", [x, x]), x]);
    const poly = g.node("Add", [x, g.node("Mul", [cube, g.scalar(0.044715)])]);
    inner = g.node("Tanh", [g.node("Mul", [poly, g.scalar(Math.sqrt(2 / Math.PI))])]);
  } else inner = g.node("Erf", [g.node("Div", [x, g.scalar(Math.SQRT2)])]);
  return g.node("Mul", [g.node("Mul", [x, g.node("Add", [inner, g.scalar(1)])]), g.scalar(0.5)]);
}

const IR_VERSION: Record<number, number> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9 };

/**
 * The bytes of an ONNX model computing `model.forward` (opset 17 unless
 * options.opset says otherwise, 13-20). Any Module exports: one forward pass
 * of `example` in eval mode (the model's mode is restored) is traced; dim 0
 * of `example` is the batch and stays free in the file where the ops allow
 * (else the metadata property `wasmgrad:batch` says why it is fixed).
 */
export function toOnnx(model: Module, example: Tensor, options: ToOnnxOptions = {}): Uint8Array {
  if (!model || typeof (model as Partial<Module>).forward !== "function" || typeof model.namedParameters !== "function")
    throw new TypeError(`toOnnx: expected an nn.Module, got ${String(model)}`);
  if (!isTensor(example)) throw new TypeError(`toOnnx: expected an example input Tensor, got ${String(example)}`);
  if (example.shape.length < 1) throw new TypeError("toOnnx: the example input needs a batch dim (dim 0)");
  const opset = options.opset ?? 17;
  if (!Number.isInteger(opset) || opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1])
    throw new RangeError(`toOnnx: opset must be from ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]}, got ${opset}`);
  const state = new Map<Tensor, string>();
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) state.set(t, name);
  const g = new Graph(opset, state);
  const wasTraining = model.training;
  model.eval();
  let outputShape: number[] = [],
    outputName = "",
    outputBatched = false;
  try {
    noGrad(() =>
      tidy(() => {
        g.bind(example, "input", true);
        const events: OpEvent[] = [];
        const out = traceOps(
          (e) => events.push(e),
          () => model.forward(example),
        );
        if (!isTensor(out)) fail(`the model's forward returned ${String(out)}, not a Tensor`);
        for (const e of events) write(g, e);
        outputShape = out.shape.slice();
        outputName = g.name(out);
        outputBatched = g.isBatched(out);
      }),
    );
  } finally {
    if (wasTraining) model.train();
  }
  // the output value gets the name "output" (an Identity when it is an input or an initializer)
  const producer = g.nodes.find((n) => n.outputs[0] === outputName);
  if (producer) {
    producer.outputs[0] = "output";
    for (const n of g.nodes) n.inputs = n.inputs.map((i) => (i === outputName ? "output" : i));
  } else g.nodes.push({ name: "output", opType: "Identity", domain: "", inputs: [outputName], outputs: ["output"], attributes: new Map() });
  const free = g.fixedBatch === null;
  const dims = (shape: number[], batched: boolean): (number | string)[] => shape.map((d, i) => (i === 0 && batched && free ? "batch" : d));
  const input: OnnxValueInfo = { name: "input", elemType: DataType.FLOAT, shape: dims(example.shape, true) };
  const output: OnnxValueInfo = { name: "output", elemType: DataType.FLOAT, shape: dims(outputShape, outputBatched) };
  const metadata = new Map(Object.entries(options.metadata ?? {}));
  if (!free) metadata.set("wasmgrad:batch", `fixed at ${example.shape[0]}: ${g.fixedBatch}`);
  return encodeModel({
    irVersion: IR_VERSION[opset],
    opsetImports: [{ domain: "", version: opset }],
    producerName: "wasmgrad",
    producerVersion: "",
    graph: { name: model.constructor.name || "model", nodes: g.nodes, initializers: g.initializers, inputs: [input], outputs: [output] },
    metadata,
  });
}
