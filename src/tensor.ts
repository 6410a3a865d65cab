// Tensor: a float32, contiguous, row-major array in the active backend's heap,
// plus what autograd needs (requiresGrad, grad, the node that made it).
import { activeBackend, type Backend } from "./backend/backend.js";
import type { GradNode } from "./autograd/node.js";
import { outputDisposed } from "./autograd/node.js";
import { backward as runBackward, type BackwardOptions } from "./autograd/backward.js";
import { trackTensor } from "./tidy.js";
import { fmtShape } from "./shape.js";
import { add, sub, mul, div, pow } from "./ops/binary.js";
import { neg, exp, log, sqrt, relu, sigmoid, tanh } from "./ops/unary.js";
import { sum, mean, max, argmax } from "./ops/reduce.js";
import { softmax, logSoftmax } from "./ops/softmax.js";
import { matmul } from "./ops/matmul.js";
import { reshape, flatten, transpose, detach, clone } from "./ops/layout.js";
import { addInPlace, mulInPlace, fillInPlace, copyInPlace } from "./ops/inplace.js";

/** A block of the heap, shared (refcounted) by the tensor handles that view it. */
export class Storage {
  refs = 1;
  /** Bumped by every in-place write, so backward() can detect a saved tensor that changed. */
  version = 0;
  constructor(
    readonly backend: Backend,
    readonly ptr: number,
    readonly bytes: number,
  ) {
    backend.liveBytes += bytes;
  }
}

export type NestedArray = number | NestedArray[];

export class Tensor {
  readonly shape: number[];
  readonly size: number;
  requiresGrad = false;
  /** Accumulated gradient, for leaves that require grad (filled by backward()). */
  grad: Tensor | null = null;
  /** @internal */ _storage: Storage | null;
  /** @internal */ _node: GradNode | null = null;
  /** @internal Owned by something longer-lived than a tidy() scope. */
  _kept = false;
  /** @internal Cheap brand check (instanceof breaks across duplicated module copies). */
  readonly _isTensor = true;

  /** @internal Use tensor(), zeros(), ... to create tensors. */
  constructor(shape: number[], storage: Storage) {
    this.shape = shape;
    let n = 1;
    for (const d of shape) n *= d;
    this.size = n;
    this._storage = storage;
    storage.backend.liveTensors++;
    trackTensor(this);
  }

  /** @internal A new, uninitialised tensor in the active backend. */
  static _empty(shape: number[]): Tensor {
    const b = activeBackend();
    let n = 1;
    for (const d of shape) n *= d;
    const bytes = n * 4;
    return new Tensor(shape, new Storage(b, b.heap.alloc(bytes), bytes));
  }

  /** @internal Another handle on the same storage (reshape, detach, saved tensors). */
  _share(shape: number[] = this.shape): Tensor {
    const s = this._live();
    s.refs++;
    return new Tensor(shape, s);
  }

  private _live(): Storage {
    const s = this._storage;
    if (s === null) throw new Error(`tensor of shape ${fmtShape(this.shape)} was disposed`);
    if (s.backend.disposed) {
      throw new Error(`tensor of shape ${fmtShape(this.shape)} belongs to backend '${s.backend.name}', which a later init() replaced`);
    }
    return s;
  }

  /** @internal Byte address of the data in the backend's heap. */
  get _ptr(): number {
    return this._live().ptr;
  }

  /** @internal */
  get _backend(): Backend {
    return this._live().backend;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this._storage === null;
  }

  /** A tensor made by the user, not by an op (gradients accumulate into leaves). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /** Frees the data (once no other handle views it). Disposing twice is harmless. */
  dispose(): void {
    const s = this._storage;
    if (s === null) return;
    this._storage = null;
    const b = s.backend;
    b.liveTensors--;
    if (--s.refs === 0) {
      b.liveBytes -= s.bytes;
      if (!b.disposed) b.heap.free(s.ptr, s.bytes);
    }
    if (this._node !== null) outputDisposed(this._node);
    if (this.grad !== null) {
      this.grad.dispose();
      this.grad = null;
    }
  }

  /** A copy of the values. */
  data(): Float32Array {
    const p = this._ptr >>> 2;
    return this._backend.heap.f32.slice(p, p + this.size);
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const d = this.data();
    if (this.shape.length === 0) return d[0];
    let i = 0;
    const build = (dim: number): NestedArray[] => {
      const n = this.shape[dim];
      const out: NestedArray[] = new Array(n);
      if (dim === this.shape.length - 1) for (let k = 0; k < n; k++) out[k] = d[i++];
      else for (let k = 0; k < n; k++) out[k] = build(dim + 1);
      return out;
    };
    return build(0);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new Error(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, not 1`);
    }
    return this._backend.heap.f32[this._ptr >>> 2];
  }

  toString(): string {
    return `Tensor(${fmtShape(this.shape)}${this.requiresGrad ? ", requiresGrad" : ""}${this.isDisposed ? ", disposed" : ""})`;
  }

  /**
   * Computes the gradients of this tensor with respect to every leaf that
   * requires grad, accumulating into their .grad. Without `gradient` the
   * tensor must hold one element. Frees the graph unless retainGraph.
   */
  backward(gradient?: Tensor, options?: BackwardOptions): void {
    runBackward(this, gradient, options);
  }

  add(other: Tensor | number): Tensor {
    return add(this, other);
  }
  sub(other: Tensor | number): Tensor {
    return sub(this, other);
  }
  mul(other: Tensor | number): Tensor {
    return mul(this, other);
  }
  div(other: Tensor | number): Tensor {
    return div(this, other);
  }
  pow(exponent: Tensor | number): Tensor {
    return pow(this, exponent);
  }
  neg(): Tensor {
    return neg(this);
  }
  exp(): Tensor {
    return exp(this);
  }
  log(): Tensor {
    return log(this);
  }
  sqrt(): Tensor {
    return sqrt(this);
  }
  relu(): Tensor {
    return relu(this);
  }
  sigmoid(): Tensor {
    return sigmoid(this);
  }
  tanh(): Tensor {
    return tanh(this);
  }
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  sum(dim?: number, keepDim = false): Tensor {
    return sum(this, dim, keepDim);
  }
  mean(dim?: number, keepDim = false): Tensor {
    return mean(this, dim, keepDim);
  }
  max(dim?: number, keepDim = false): Tensor {
    return max(this, dim, keepDim);
  }
  argmax(dim?: number, keepDim = false): Tensor {
    return argmax(this, dim, keepDim);
  }
  softmax(dim = -1): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim = -1): Tensor {
    return logSoftmax(this, dim);
  }
  reshape(shape: number[]): Tensor {
    return reshape(this, shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return flatten(this, startDim, endDim);
  }
  transpose(dim0 = 0, dim1 = 1): Tensor {
    return transpose(this, dim0, dim1);
  }
  detach(): Tensor {
    return detach(this);
  }
  clone(): Tensor {
    return clone(this);
  }

  // In-place updates (PyTorch's trailing underscore): never recorded; allowed on
  // tensors that require grad only under noGrad (optimizer steps).
  /** this += alpha * other */
  add_(other: Tensor | number, alpha = 1): this {
    addInPlace(this, other, alpha);
    return this;
  }
  /** this -= alpha * other */
  sub_(other: Tensor | number, alpha = 1): this {
    addInPlace(this, other, -alpha);
    return this;
  }
  mul_(factor: number): this {
    mulInPlace(this, factor);
    return this;
  }
  fill_(value: number): this {
    fillInPlace(this, value);
    return this;
  }
  zero_(): this {
    fillInPlace(this, 0);
    return this;
  }
  copy_(src: Tensor): this {
    copyInPlace(this, src);
    return this;
  }
}

export function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && (x as { _isTensor?: unknown })._isTensor === true;
}
