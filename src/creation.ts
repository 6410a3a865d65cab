// Creating tensors: from data, constant fills, seeded random fills, ranges.
import { Tensor, type NestedArray } from "./tensor.js";
import { checkShape, describe, fmtShape, sizeOf } from "./shape.js";
import { nextFloat, nextNormal } from "./random.js";

export interface CreateOptions {
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreateOptions {
  /** Shape of flat data (a typed array or a flat number array). */
  shape?: number[];
}

/** A finite number too large for float32 (it would become Infinity): refused, so that nothing changes silently. */
function checkFits(op: string, v: number, at?: number): void {
  if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
    throw new RangeError(
      `${op}: ${v}${at === undefined ? "" : ` (element ${at})`} overflows float32 (largest 3.4028235e38); tensors are float32`,
    );
  }
}

function finish(t: Tensor, options: CreateOptions | undefined): Tensor {
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor of `shape` whose values are written by `fill` into a float32 view. */
function filled(shape: number[], options: CreateOptions | undefined, fill: (view: Float32Array) => void): Tensor {
  const t = Tensor._empty(shape);
  fill(t._view());
  return finish(t, options);
}

function inferShape(data: unknown[], shape: number[]): void {
  shape.push(data.length);
  if (data.length > 0 && Array.isArray(data[0])) inferShape(data[0] as unknown[], shape);
}

function flattenInto(op: string, data: unknown, shape: number[], dim: number, out: Float32Array, at: number): number {
  if (dim === shape.length) {
    if (typeof data !== "number") throw new TypeError(`${op}: expected a number at depth ${dim}, got ${describe(data)}`);
    checkFits(op, data, at);
    out[at] = data;
    return at + 1;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`${op}: ragged nested array: expected ${shape[dim]} entries at depth ${dim} (shape ${fmtShape(shape)})`);
  }
  for (const v of data) at = flattenInto(op, v, shape, dim + 1, out, at);
  return at;
}

/**
 * A float32 tensor from a number, nested arrays, or flat data (a typed array
 * or number array) with `{ shape }`.
 */
export function tensor(data: NestedArray | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  if (typeof data === "number") {
    checkFits("tensor", data);
    if (options.shape !== undefined && sizeOf(checkShape("tensor", options.shape)) !== 1) {
      throw new Error(`tensor: a single number cannot fill shape ${fmtShape(options.shape)}`);
    }
    return filled(options.shape?.slice() ?? [], options, (v) => (v[0] = data));
  }
  if (data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw new TypeError(
      `tensor: data must hold numbers (nested arrays, a number array or a Float32Array, Float64Array or integer typed array), got ${describe(data)}`,
    );
  }
  if (ArrayBuffer.isView(data) || (Array.isArray(data) && options.shape !== undefined)) {
    const flat = data as ArrayLike<number>;
    const shape = options.shape !== undefined ? checkShape("tensor", options.shape) : [flat.length];
    if (sizeOf(shape) !== flat.length) {
      throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} elements)`);
    }
    if (Array.isArray(flat)) {
      for (let i = 0; i < flat.length; i++) {
        if (typeof flat[i] !== "number") throw new TypeError(`tensor: element ${i} is ${describe(flat[i])}, not a number`);
      }
    }
    if (Array.isArray(flat) || flat instanceof Float64Array) for (let i = 0; i < flat.length; i++) checkFits("tensor", flat[i], i);
    return filled(shape, options, (v) => v.set(flat));
  }
  if (!Array.isArray(data)) throw new TypeError(`tensor: expected a number, nested arrays or a typed array, got ${describe(data)}`);
  const shape: number[] = [];
  inferShape(data, shape);
  const buf = new Float32Array(sizeOf(shape));
  flattenInto("tensor", data, shape, 0, buf, 0);
  return filled(shape, options, (v) => v.set(buf));
}

/** @internal Uninitialised storage (parameters that an initialiser fills). */
export function empty(shape: number[], options?: CreateOptions): Tensor {
  return finish(Tensor._empty(checkShape("empty", shape)), options);
}

export function full(shape: number[], value: number, options?: CreateOptions): Tensor {
  const s = checkShape("full", shape);
  if (typeof value !== "number") throw new TypeError(`full: value must be a number, got ${describe(value)}`);
  checkFits("full", value);
  const t = Tensor._empty(s);
  t._k.fill(t._ptr, t.size, value);
  return finish(t, options);
}

export function zeros(shape: number[], options?: CreateOptions): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: number[], options?: CreateOptions): Tensor {
  return full(shape, 1, options);
}

/** Uniform in [0, 1), from the seeded generator. */
export function rand(shape: number[], options?: CreateOptions): Tensor {
  return filled(checkShape("rand", shape), options, (v) => {
    for (let i = 0; i < v.length; i++) v[i] = nextFloat();
  });
}

/** Standard normal, from the seeded generator. */
export function randn(shape: number[], options?: CreateOptions): Tensor {
  return filled(checkShape("randn", shape), options, (v) => {
    for (let i = 0; i < v.length; i++) v[i] = nextNormal();
  });
}

/** [start, end) in steps (arange(n) is 0..n-1), as in PyTorch. */
export function arange(start: number, end?: number, step = 1, options?: CreateOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  for (const [name, v] of [
    ["start", start],
    ["end", end],
    ["step", step],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`arange: ${name} must be a finite number, got ${String(v)}`);
  }
  if (step === 0) throw new Error("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((end - start) / step));
  return filled([n], options, (v) => {
    for (let i = 0; i < n; i++) v[i] = start + i * step;
  });
}
