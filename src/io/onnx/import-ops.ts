// The ONNX ops fromOnnx reads, each as a check of its attributes (when the
// file is read) and a run on the library's ops (every forward). Float values
// are Tensors; integer ones (shapes, indices, axes and the arithmetic on
// them) are Ints, plain numbers, so the shape subgraphs exporters write
// around Reshape cost nothing and never reach the tape.
import { Tensor } from "../../tensor.js";
import { tensor, full } from "../../creation.js";
import { add, sub, mul, div, pow } from "../../ops/binary.js";
import { neg, exp, log, sqrt, relu, sigmoid, tanh } from "../../ops/unary.js";
import { abs, clamp, leakyRelu, elu, gelu, erf, softplus } from "../../ops/activation.js";
import { eq, ne, gt, ge, lt, le, maximum, minimum, where } from "../../ops/compare.js";
import { softmax, logSoftmax } from "../../ops/softmax.js";
import { matmul } from "../../ops/matmul.js";
import { linear } from "../../ops/linear.js";
import { reshape, transpose, permute, unsqueeze, squeeze, expand } from "../../ops/layout.js";
import { cat, narrow, pad } from "../../ops/slice.js";
import { indexSelect, gather } from "../../ops/indexing.js";
import { conv2d, convTranspose2d } from "../../ops/conv.js";
import { maxPool2d, avgPool2d, globalAvgPool2d } from "../../ops/pool.js";
import { batchNorm, layerNorm } from "../../ops/norm.js";
import { sum, mean, max, min, argmax, logsumexp } from "../../ops/reduce.js";
import { broadcastShapes, broadcastStrides, sizeOf, stridesOf } from "../../shape.js";
import { DataType, typeName, type OnnxAttribute, type OnnxNode } from "./model.js";

/** Most values an integer tensor may hold (shapes and indices are small; a hostile file's are not). */
const MAX_INTS = 2 ** 24;

/** An integer tensor held as numbers: shapes, indices, axes. */
export class Ints {
  constructor(
    readonly dims: number[],
    readonly data: number[],
  ) {
    const n = sizeOf(dims);
    if (n !== data.length) throw new Error(`an integer tensor of shape [${dims.join(", ")}] with ${data.length} values`);
    if (n > MAX_INTS) throw new Error(`an integer tensor of ${n} values (at most ${MAX_INTS} are held)`);
  }
}

export type Value = Tensor | Ints;

export interface OpContext {
  /** The module's training mode (BatchNormalization's batch statistics). */
  training: boolean;
  opset: number;
}

export interface OpDef {
  /** Refuses, when the file is read, attributes this library cannot honour. */
  check?: (node: OnnxNode, opset: number, fail: (message: string) => never) => void;
  run: (node: OnnxNode, inputs: (Value | null)[], ctx: OpContext) => Value[];
}

// --- attributes

type AttributeValues = { [A in OnnxAttribute as A["type"]]: A["value"] };

function attr<T extends keyof AttributeValues>(n: OnnxNode, name: string, type: T): AttributeValues[T] | undefined {
  const a = n.attributes.get(name);
  if (a === undefined) return undefined;
  if (a.type !== type) throw new Error(`attribute '${name}' must be of type ${type}, it is ${a.type}`);
  return a.value as AttributeValues[T];
}
const int = (n: OnnxNode, name: string, fallback: number) => attr(n, name, "int") ?? fallback;
const ints = (n: OnnxNode, name: string, fallback: number[]) => attr(n, name, "ints") ?? fallback;
const float = (n: OnnxNode, name: string, fallback: number) => attr(n, name, "float") ?? fallback;
const str = (n: OnnxNode, name: string, fallback: string) => attr(n, name, "string") ?? fallback;

// --- values

function asTensor(v: Value | null, what: string): Tensor {
  if (v === null) throw new Error(`${what} is missing`);
  if (v instanceof Tensor) return v;
  return tensor(Float32Array.from(v.data), { shape: v.dims });
}

function asInts(v: Value | null, what: string): Ints {
  if (v instanceof Ints) return v;
  if (v === null) throw new Error(`${what} is missing`);
  throw new Error(
    `${what} must be an integer tensor (a constant, or computed from shapes), it is a float tensor of shape [${v.shape.join(", ")}]`,
  );
}

/** A scalar from a 0-d or one-element value (Clip's bounds, Pad's value, Pow's exponent). */
function scalar(v: Value | null, what: string): number {
  if (v === null) throw new Error(`${what} is missing`);
  const data = v instanceof Ints ? v.data : v.data();
  if (data.length !== 1) throw new Error(`${what} must hold one number, it holds ${data.length}`);
  return data[0];
}

const axis = (a: number, rank: number, what: string): number => {
  const r = a < 0 ? a + rank : a;
  if (!Number.isInteger(r) || r < 0 || r >= rank) throw new Error(`${what} ${a} is out of range for rank ${rank}`);
  return r;
};

/** NumPy broadcasting of integer values (shape arithmetic), by the tensors' own broadcast rules. */
function intsElementwise(a: Ints, b: Ints, f: (x: number, y: number) => number): Ints {
  const dims = broadcastShapes("onnx", a.dims, b.dims);
  const [sa, sb, out] = [broadcastStrides(a.dims, dims), broadcastStrides(b.dims, dims), stridesOf(dims)];
  const data = Array.from({ length: sizeOf(dims) }, (_, k) => {
    let i = 0,
      j = 0;
    dims.forEach((d, axis) => {
      const c = Math.floor(k / out[axis]) % d;
      i += c * sa[axis];
      j += c * sb[axis];
    });
    return f(a.data[i], b.data[j]);
  });
  return new Ints(dims, data);
}

function binary(tensorOp: (a: Tensor, b: Tensor | number) => Tensor, intOp?: (x: number, y: number) => number): OpDef {
  return {
    run: (n, [a, b]) => {
      if (a instanceof Ints && b instanceof Ints) {
        if (!intOp) throw new Error("integer operands are not supported");
        return [intsElementwise(a, b, intOp)];
      }
      return [tensorOp(asTensor(a, "input A"), asTensor(b, "input B"))];
    },
  };
}

const unary = (f: (x: Tensor) => Tensor): OpDef => ({ run: (n, [x]) => [f(asTensor(x, "input"))] });

/** Max and Min: any number of operands, broadcast. */
function variadic(f: (a: Tensor, b: Tensor) => Tensor, g: (x: number, y: number) => number): OpDef {
  return {
    run: (n, inputs) => {
      const present = inputs.filter((v): v is Value => v !== null);
      if (present.length === 0) throw new Error("no operands");
      if (present.every((v) => v instanceof Ints))
        return [present.slice(1).reduce((p, v) => intsElementwise(p as Ints, v as Ints, g), present[0])];
      return [present.slice(1).reduce<Tensor>((p, v, i) => f(p, asTensor(v, `input ${i + 1}`)), asTensor(present[0], "input 0"))];
    },
  };
}

function onlyOutputs(count: number): OpDef["check"] {
  return (n, _opset, fail) => {
    if (n.outputs.slice(count).some((o) => o !== "")) fail(`only its first ${count === 1 ? "output" : `${count} outputs`} are supported`);
  };
}

/** Pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...] of the spatial dims as (top, left) and (bottom, right). */
function spatialPads(pads: number[]): { begin: [number, number]; end: [number, number] } {
  if (pads.length !== 4) throw new Error(`pads must hold 4 numbers for 2-D, got [${pads}]`);
  return { begin: [pads[0], pads[1]], end: [pads[2], pads[3]] };
}

function checkWindow(n: OnnxNode, _opset: number, fail: (m: string) => never): void {
  const autoPad = str(n, "auto_pad", "NOTSET");
  if (autoPad !== "NOTSET" && autoPad !== "VALID") fail(`auto_pad ${autoPad} is not supported (explicit pads are)`);
  const kernel = attr(n, "kernel_shape", "ints");
  if (kernel && kernel.length !== 2) fail(`kernel_shape [${kernel}]: 2-D windows are supported`);
}

function conv2dOf(n: OnnxNode, [x, w, b]: (Value | null)[]): Tensor {
  let input = asTensor(x, "input X");
  if (input.shape.length !== 4) throw new Error(`input of shape [${input.shape}]: 2-D convolutions of [N, C, H, W] are supported`);
  const { begin, end } = spatialPads(ints(n, "pads", [0, 0, 0, 0]));
  let padding: [number, number] = begin;
  if (begin[0] !== end[0] || begin[1] !== end[1]) {
    input = pad(input, [begin[1], end[1], begin[0], end[0]]); // uneven padding first, then none
    padding = [0, 0];
  }
  const [sh, sw] = ints(n, "strides", [1, 1]),
    [dh, dw] = ints(n, "dilations", [1, 1]);
  return conv2d(input, asTensor(w, "weight W"), b === null || b === undefined ? null : asTensor(b, "bias B"), {
    stride: [sh, sw],
    padding,
    dilation: [dh, dw],
    groups: int(n, "group", 1),
  });
}

function poolOf(n: OnnxNode, x: Value | null, kind: "max" | "average"): Tensor {
  const input = asTensor(x, "input X");
  if (input.shape.length !== 4) throw new Error(`input of shape [${input.shape}]: 2-D pooling of [N, C, H, W] is supported`);
  const [kh, kw] = ints(n, "kernel_shape", []);
  const { begin, end } = spatialPads(ints(n, "pads", [0, 0, 0, 0]));
  if (begin[0] !== end[0] || begin[1] !== end[1]) throw new Error(`pads [${begin},${end}]: uneven padding is not supported in pooling`);
  const [sh, sw] = ints(n, "strides", [1, 1]);
  const options = { stride: [sh, sw] as [number, number], padding: begin };
  return kind === "max" ? maxPool2d(input, [kh, kw], options) : avgPool2d(input, [kh, kw], options);
}

/** ONNX's reduce ops: axes as an attribute before opset 18 (ReduceSum: 13), as an input from then. */
function reduce(f: (x: Tensor, dim: number, keepDim: boolean) => Tensor, axesInputFrom: number): OpDef {
  return {
    check: (n, opset, fail) => {
      if (opset >= axesInputFrom && n.attributes.has("axes")) fail(`opset ${opset} gives the axes as an input, not an attribute`);
    },
    run: (n, [x, axesInput], ctx) => {
      const t = asTensor(x, "input data");
      const given = ctx.opset >= axesInputFrom ? (axesInput ? asInts(axesInput, "axes").data : undefined) : attr(n, "axes", "ints");
      const keep = int(n, "keepdims", 1) === 1;
      if ((given === undefined || given.length === 0) && int(n, "noop_with_empty_axes", 0) === 1) return [t];
      const axes = (given && given.length ? given : t.shape.map((_, i) => i))
        .map((a) => axis(a, t.shape.length, "axis"))
        .sort((a, b) => b - a);
      let y = t;
      for (const a of axes) y = f(y, a, true);
      if (!keep) y = squeeze(y, axes);
      return [y];
    },
  };
}

/** The indices ONNX's Slice takes from a dim of `n`, for any non-zero step. */
function sliceIndices(n: number, start: number, end: number, step: number): number[] {
  if (step === 0) throw new Error("a step of 0");
  const norm = (v: number) => (v < 0 ? v + n : v);
  const out: number[] = [];
  if (step > 0) {
    const from = Math.min(Math.max(norm(start), 0), n),
      to = Math.min(Math.max(norm(end), 0), n);
    for (let i = from; i < to; i += step) out.push(i);
  } else {
    const from = Math.min(Math.max(norm(start), 0), n - 1),
      to = Math.min(Math.max(norm(end), -1), n - 1);
    for (let i = from; i > to; i += step) out.push(i);
  }
  return out;
}

/** The integer values at every combination of the given indices per dim (in row-major order). */
function pickInts(x: Ints, picks: number[][]): Ints {
  const strides = stridesOf(x.dims);
  let offsets = [0];
  picks.forEach((p, j) => (offsets = offsets.flatMap((o) => p.map((i) => o + i * strides[j]))));
  return new Ints(
    picks.map((p) => p.length),
    offsets.map((o) => x.data[o]),
  );
}

function gatherInts(data: Ints, indices: Ints, ax: number): Ints {
  if (data.dims.length !== 1 || ax !== 0) throw new Error("integer Gather is supported on 1-D data along axis 0");
  const n = data.dims[0];
  return new Ints(
    indices.dims,
    indices.data.map((i) => {
      const k = i < 0 ? i + n : i;
      if (k < 0 || k >= n) throw new Error(`index ${i} is out of range for ${n} values`);
      return data.data[k];
    }),
  );
}

export const OPS: Record<string, OpDef> = {
  Gemm: {
    run: (n, [a, b, c]) => {
      const [alpha, beta] = [float(n, "alpha", 1), float(n, "beta", 1)];
      const [transA, transB] = [int(n, "transA", 0), int(n, "transB", 0)];
      const A = asTensor(a, "input A"),
        B = asTensor(b, "input B");
      const C = c === null || c === undefined ? null : asTensor(c, "input C");
      // the form nn.Linear exports: x W^T + b, through the library's linear
      if (
        !transA &&
        transB &&
        alpha === 1 &&
        beta === 1 &&
        A.shape.length === 2 &&
        (C === null || (C.shape.length === 1 && C.shape[0] === B.shape[0]))
      )
        return [linear(A, B, C)];
      let y = matmul(transA ? transpose(A, 0, 1) : A, transB ? transpose(B, 0, 1) : B);
      if (alpha !== 1) y = mul(y, alpha);
      if (C !== null) y = add(y, beta === 1 ? C : mul(C, beta));
      return [y];
    },
  },
  MatMul: { run: (n, [a, b]) => [matmul(asTensor(a, "input A"), asTensor(b, "input B"))] },
  Conv: { check: checkWindow, run: (n, inputs) => [conv2dOf(n, inputs)] },
  ConvTranspose: {
    check: (n, opset, fail) => {
      checkWindow(n, opset, fail);
      if (n.attributes.has("output_shape")) fail("output_shape is not supported (pads and output_padding are)");
    },
    run: (n, [x, w, b]) => {
      const { begin, end } = spatialPads(ints(n, "pads", [0, 0, 0, 0]));
      if (begin[0] !== end[0] || begin[1] !== end[1]) throw new Error(`pads [${begin},${end}]: uneven padding is not supported`);
      const [sh, sw] = ints(n, "strides", [1, 1]),
        [dh, dw] = ints(n, "dilations", [1, 1]),
        [oh, ow] = ints(n, "output_padding", [0, 0]);
      return [
        convTranspose2d(asTensor(x, "input X"), asTensor(w, "weight W"), b === null || b === undefined ? null : asTensor(b, "bias B"), {
          stride: [sh, sw],
          padding: begin,
          dilation: [dh, dw],
          outputPadding: [oh, ow],
          groups: int(n, "group", 1),
        }),
      ];
    },
  },
  MaxPool: {
    check: (n, opset, fail) => {
      checkWindow(n, opset, fail);
      onlyOutputs(1)!(n, opset, fail);
      if (int(n, "ceil_mode", 0) !== 0) fail("ceil_mode 1 is not supported");
      if (ints(n, "dilations", [1, 1]).some((d) => d !== 1)) fail("dilated pooling is not supported");
    },
    run: (n, [x]) => [poolOf(n, x, "max")],
  },
  AveragePool: {
    check: (n, opset, fail) => {
      checkWindow(n, opset, fail);
      if (int(n, "ceil_mode", 0) !== 0) fail("ceil_mode 1 is not supported");
      if (int(n, "count_include_pad", 0) === 0 && ints(n, "pads", [0, 0, 0, 0]).some((p) => p !== 0))
        fail("padding left out of the average (count_include_pad 0) is not supported: PyTorch's default, count_include_pad 1, is");
    },
    run: (n, [x]) => [poolOf(n, x, "average")],
  },
  GlobalAveragePool: unary(globalAvgPool2d),
  Relu: unary(relu),
  Sigmoid: unary(sigmoid),
  Tanh: unary(tanh),
  Erf: unary(erf),
  Abs: unary(abs),
  Neg: unary(neg),
  Exp: unary(exp),
  Log: unary(log),
  Sqrt: unary(sqrt),
  LeakyRelu: { run: (n, [x]) => [leakyRelu(asTensor(x, "input"), float(n, "alpha", 0.01))] },
  Elu: { run: (n, [x]) => [elu(asTensor(x, "input"), float(n, "alpha", 1))] },
  Gelu: {
    check: (n, opset, fail) => {
      if (opset < 20) fail(`Gelu is an opset 20 op; this model imports opset ${opset}`);
      const a = str(n, "approximate", "none");
      if (a !== "none" && a !== "tanh") fail(`approximate '${a}' (none or tanh)`);
    },
    run: (n, [x]) => [gelu(asTensor(x, "input"), str(n, "approximate", "none") as "none" | "tanh")],
  },
  Softmax: { run: (n, [x]) => [softmax(asTensor(x, "input"), int(n, "axis", -1))] },
  LogSoftmax: { run: (n, [x]) => [logSoftmax(asTensor(x, "input"), int(n, "axis", -1))] },
  Flatten: {
    run: (n, [x]) => {
      const t = asTensor(x, "input");
      const a = int(n, "axis", 1);
      const k = a < 0 ? a + t.shape.length : a;
      if (k < 0 || k > t.shape.length) throw new Error(`axis ${a} is out of range for rank ${t.shape.length}`);
      return [reshape(t, [sizeOf(t.shape.slice(0, k)), sizeOf(t.shape.slice(k))])];
    },
  },
  Reshape: {
    run: (n, [x, s]) => {
      const shape = asInts(s, "shape");
      const allowZero = int(n, "allowzero", 0) === 1;
      const dims = (from: readonly number[]) => shape.data.map((d, i) => (d === 0 && !allowZero ? from[i] : d));
      if (x instanceof Ints) {
        const d = dims(x.dims);
        if (d.filter((v) => v === -1).length > 1) throw new Error(`shape [${d}] has more than one -1`);
        const known = sizeOf(d.filter((v) => v !== -1));
        return [
          new Ints(
            d.map((v) => (v === -1 ? x.data.length / known : v)),
            x.data,
          ),
        ];
      }
      const t = asTensor(x, "data");
      return [reshape(t, dims(t.shape))];
    },
  },
  Transpose: {
    run: (n, [x]) => {
      if (x instanceof Ints) {
        const perm = ints(
          n,
          "perm",
          x.dims.map((_, i) => x.dims.length - 1 - i),
        );
        const strides = stridesOf(x.dims);
        const dims = perm.map((p) => x.dims[p]);
        const data = Array.from({ length: x.data.length }, (_, k) => {
          let o = 0;
          for (let j = dims.length - 1, r = k; j >= 0; j--) {
            o += (r % dims[j]) * strides[perm[j]];
            r = Math.floor(r / dims[j]);
          }
          return x.data[o];
        });
        return [new Ints(dims, data)];
      }
      const t = asTensor(x, "input");
      return [
        permute(
          t,
          ints(
            n,
            "perm",
            t.shape.map((_, i) => t.shape.length - 1 - i),
          ),
        ),
      ];
    },
  },
  Concat: {
    run: (n, inputs) => {
      const a = int(n, "axis", 0);
      const present = inputs.filter((v): v is Value => v !== null);
      if (present.every((v) => v instanceof Ints)) {
        const parts = present as Ints[];
        if (parts.some((p) => p.dims.length > 1) || axis(a, 1, "axis") !== 0) throw new Error("integer Concat is supported on 1-D values");
        const data = parts.flatMap((p) => p.data);
        return [new Ints([data.length], data)];
      }
      return [
        cat(
          present.map((v, i) => asTensor(v, `input ${i}`)),
          a,
        ),
      ];
    },
  },
  Slice: {
    run: (n, [x, starts, ends, axes, steps]) => {
      const s = asInts(starts, "starts").data,
        e = asInts(ends, "ends").data;
      const rank = x instanceof Ints ? x.dims.length : asTensor(x, "data").shape.length;
      const ax = axes ? asInts(axes, "axes").data : s.map((_, i) => i);
      const st = steps ? asInts(steps, "steps").data : s.map(() => 1);
      if (x instanceof Ints) {
        // shape arithmetic: any step (exporters reverse pads with step -1)
        const picks = x.dims.map((d) => Array.from({ length: d }, (_, i) => i));
        ax.forEach((a0, i) => {
          const a = axis(a0, rank, "axis");
          picks[a] = sliceIndices(x.dims[a], s[i], e[i], st[i] ?? 1);
        });
        return [pickInts(x, picks)];
      }
      if (st.some((v) => v !== 1)) throw new Error("steps other than 1 are not supported on float tensors");
      const dimsOf = (x as Tensor).shape;
      const ranges = ax.map((a0, i) => {
        const a = axis(a0, rank, "axis"),
          size = dimsOf[a];
        const clampTo = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
        const from = clampTo(s[i]);
        return { a, from, length: Math.max(0, clampTo(e[i]) - from) };
      });
      let t = x as Tensor;
      for (const r of ranges) t = narrow(t, r.a, r.from, r.length);
      return [t];
    },
  },
  Gather: {
    run: (n, [x, idx]) => {
      const indices = asInts(idx, "indices");
      const a0 = int(n, "axis", 0);
      if (x instanceof Ints) return [gatherInts(x, indices, axis(a0, x.dims.length, "axis"))];
      const t = asTensor(x, "data");
      const a = axis(a0, t.shape.length, "axis"),
        size = t.shape[a];
      const flat = indices.data.map((i) => {
        const k = i < 0 ? i + size : i;
        if (k < 0 || k >= size) throw new Error(`index ${i} is out of range for dim ${a} of size ${size}`);
        return k;
      });
      const picked = indexSelect(t, a, flat);
      return [reshape(picked, [...t.shape.slice(0, a), ...indices.dims, ...t.shape.slice(a + 1)])];
    },
  },
  Pad: {
    check: (n, _opset, fail) => {
      const mode = str(n, "mode", "constant");
      if (mode !== "constant") fail(`mode '${mode}' is not supported (constant is)`);
    },
    run: (n, [x, p, value, axesInput]) => {
      const t = asTensor(x, "data");
      const pads = asInts(p, "pads").data;
      const rank = t.shape.length;
      const axes = axesInput ? asInts(axesInput, "axes").data.map((a) => axis(a, rank, "axis")) : t.shape.map((_, i) => i);
      if (pads.length !== 2 * axes.length) throw new Error(`${pads.length} pads for ${axes.length} axes`);
      const before = new Array(rank).fill(0),
        after = new Array(rank).fill(0);
      axes.forEach((a, i) => {
        before[a] = pads[i];
        after[a] = pads[i + axes.length];
      });
      const torchOrder: number[] = [];
      for (let a = rank - 1; a >= 0; a--) torchOrder.push(before[a], after[a]);
      return [pad(t, torchOrder, value ? scalar(value, "constant_value") : 0)];
    },
  },
  BatchNormalization: {
    check: onlyOutputs(1),
    run: (n, [x, scale, b, m, v], ctx) => [
      batchNorm(asTensor(x, "input X"), asTensor(m, "input_mean"), asTensor(v, "input_var"), asTensor(scale, "scale"), asTensor(b, "B"), {
        training: ctx.training,
        momentum: 1 - float(n, "momentum", 0.9),
        eps: float(n, "epsilon", 1e-5),
      }),
    ],
  },
  LayerNormalization: {
    check: onlyOutputs(1),
    run: (n, [x, scale, b]) => {
      const t = asTensor(x, "input X");
      const a = axis(int(n, "axis", -1), t.shape.length, "axis");
      return [layerNorm(t, t.shape.slice(a), asTensor(scale, "Scale"), b ? asTensor(b, "B") : null, float(n, "epsilon", 1e-5))];
    },
  },
  // comparisons: booleans as float 0 and 1 (on shapes: as integers)
  Equal: binary(eq, (x, y) => +(x === y)),
  Greater: binary(gt, (x, y) => +(x > y)),
  GreaterOrEqual: binary(ge, (x, y) => +(x >= y)),
  Less: binary(lt, (x, y) => +(x < y)),
  LessOrEqual: binary(le, (x, y) => +(x <= y)),
  Not: {
    run: (n, [x]) => [
      x instanceof Ints
        ? new Ints(
            x.dims,
            x.data.map((v) => +!v),
          )
        : eq(asTensor(x, "input"), 0),
    ],
  },
  Where: {
    run: (n, [c, a, b]) => {
      if (c instanceof Ints && a instanceof Ints && b instanceof Ints) {
        if (a.dims.join() !== c.dims.join() || b.dims.join() !== c.dims.join()) throw new Error("integer Where needs equal shapes");
        return [
          new Ints(
            c.dims,
            c.data.map((v, i) => (v ? a.data[i] : b.data[i])),
          ),
        ];
      }
      return [where(asTensor(c, "condition"), asTensor(a, "X"), asTensor(b, "Y"))];
    },
  },
  Max: variadic(maximum, Math.max),
  Min: variadic(minimum, Math.min),
  Softplus: unary((x) => softplus(x)),
  GatherElements: {
    run: (n, [x, idx]) => {
      const t = asTensor(x, "data");
      const indices = asInts(idx, "indices");
      const a = axis(int(n, "axis", 0), t.shape.length, "axis");
      const size = t.shape[a];
      const wrapped = indices.data.map((i) => (i < 0 ? i + size : i));
      return [gather(t, a, tensor(Float32Array.from(wrapped), { shape: indices.dims }))];
    },
  },
  ArgMax: {
    check: (n, _opset, fail) => {
      if (int(n, "select_last_index", 0) !== 0) fail("select_last_index 1 is not supported");
    },
    run: (n, [x]) => {
      const t = asTensor(x, "data");
      const y = argmax(t, axis(int(n, "axis", 0), t.shape.length, "axis"), int(n, "keepdims", 1) === 1);
      return [new Ints(y.shape, Array.from(y.data()))];
    },
  },
  Add: binary(add, (x, y) => x + y),
  Sub: binary(sub, (x, y) => x - y),
  Mul: binary(mul, (x, y) => x * y),
  Div: binary(div, (x, y) => Math.trunc(x / y)),
  Pow: {
    run: (n, [x, y]) => {
      const base = asTensor(x, "input X");
      // a constant exponent (LayerNorm's square, as exporters decompose it) as a number
      const e = y instanceof Tensor && (y.requiresGrad || y.size !== 1) ? y : scalar(y, "exponent Y");
      return [pow(base, e)];
    },
  },
  Clip: {
    run: (n, [x, lo, hi]) => [clamp(asTensor(x, "input"), lo ? scalar(lo, "min") : null, hi ? scalar(hi, "max") : null)],
  },
  // evaluated once, when the file is read (fromOnnx)
  Constant: {
    run: () => {
      throw new Error("a Constant runs when the file is read");
    },
  },
  Identity: { run: (n, [x]) => [x!] },
  Dropout: { check: onlyOutputs(1), run: (n, [x]) => [x!] },
  ReduceMean: reduce(mean, 18),
  ReduceSum: reduce(sum, 13),
  ReduceMax: reduce(max, 18),
  ReduceMin: reduce(min, 18),
  ReduceLogSumExp: reduce(logsumexp, 18),
  Shape: {
    run: (n, [x]) => {
      const dims = x instanceof Ints ? x.dims : asTensor(x, "data").shape;
      const rank = dims.length;
      const clampTo = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
      const d = dims.slice(clampTo(int(n, "start", 0)), clampTo(int(n, "end", rank)));
      return [new Ints([d.length], d)];
    },
  },
  Unsqueeze: {
    run: (n, [x, axesInput], ctx) => {
      const given = ctx.opset >= 13 ? asInts(axesInput, "axes").data : ints(n, "axes", []);
      const rank = (x instanceof Ints ? x.dims.length : asTensor(x, "data").shape.length) + given.length;
      const axes = given.map((a) => axis(a, rank, "axis")).sort((a, b) => a - b);
      if (x instanceof Ints) {
        const dims = [...x.dims];
        for (const a of axes) dims.splice(a, 0, 1);
        return [new Ints(dims, x.data)];
      }
      let t = x as Tensor;
      for (const a of axes) t = unsqueeze(t, a);
      return [t];
    },
  },
  Squeeze: {
    run: (n, [x, axesInput], ctx) => {
      const dims = x instanceof Ints ? x.dims : asTensor(x, "data").shape;
      const given = ctx.opset >= 13 ? (axesInput ? asInts(axesInput, "axes").data : undefined) : attr(n, "axes", "ints");
      const axes = given ? given.map((a) => axis(a, dims.length, "axis")) : dims.flatMap((d, i) => (d === 1 ? [i] : []));
      if (x instanceof Ints) {
        if (axes.some((a) => dims[a] !== 1)) throw new Error(`cannot squeeze dims [${axes}] of shape [${dims}]: only dims of size 1`);
        return [
          new Ints(
            dims.filter((_, i) => !axes.includes(i)),
            x.data,
          ),
        ];
      }
      return [squeeze(x as Tensor, axes)];
    },
  },
  Cast: {
    check: (n, _opset, fail) => {
      const to = int(n, "to", 0);
      const known = [DataType.FLOAT, DataType.DOUBLE, DataType.INT64, DataType.INT32, DataType.BOOL] as number[];
      if (!known.includes(to)) fail(`cast to ${typeName(to)} is not supported`);
    },
    run: (n, [x]) => {
      const to = int(n, "to", 0);
      const floating = to === DataType.FLOAT || to === DataType.DOUBLE;
      if (x instanceof Ints)
        return [floating ? asTensor(x, "input") : new Ints(x.dims, to === DataType.BOOL ? x.data.map((v) => (v ? 1 : 0)) : x.data)];
      const t = asTensor(x, "input");
      if (floating) return [t];
      // booleans of float tensors stay tensors of 0 and 1 (for Where, Not, a Cast back)
      if (to === DataType.BOOL) return [ne(t, 0)];
      return [
        new Ints(
          t.shape,
          Array.from(t.data(), (v) => Math.trunc(v)),
        ),
      ];
    },
  },
  ConstantOfShape: {
    run: (n, [s]) => {
      const dims = asInts(s, "shape").data;
      if (dims.some((d) => d < 0) || sizeOf(dims) > 2 ** 31) throw new Error(`shape [${dims}] is negative or over 2^31 elements`);
      const v = attr(n, "value", "tensor");
      if (v && v.dataType !== DataType.FLOAT) return [new Ints(dims, new Array(sizeOf(dims)).fill(v.data[0] ?? 0))];
      return [full(dims, v ? v.data[0] : 0)];
    },
  },
  Expand: {
    run: (n, [x, s]) => {
      const t = asTensor(x, "input");
      const want = asInts(s, "shape").data;
      const rank = Math.max(want.length, t.shape.length);
      const own = [...Array(rank - t.shape.length).fill(1), ...t.shape],
        w = [...Array(rank - want.length).fill(1), ...want];
      return [
        expand(
          t,
          own.map((d, i) => (w[i] === 1 ? d : w[i])),
        ),
      ];
    },
  },
};
