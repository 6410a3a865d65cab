// Tensor: a float32, contiguous, row-major array in the active backend's heap,
// plus what autograd needs (requiresGrad, grad, the node that made it).
import { activeBackend, type Backend } from "./backend/backend.js";
import type { Kernels } from "./backend/kernels.js";
import type { GradNode } from "./autograd/node.js";
import { outputDisposed } from "./autograd/node.js";
import { trackTensor } from "./tidy.js";
import { fmtShape } from "./shape.js";

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
    return new Tensor(shape, new Storage(b, b.heap.alloc(bytes, shape), bytes));
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

  /** @internal Throws a clear error if the tensor was disposed or its backend replaced. */
  _check(): void {
    this._live();
  }

  /** @internal Byte address of the data in the backend's heap. */
  get _ptr(): number {
    return this._live().ptr;
  }

  /** @internal The backend the data lives in (ops need its kernels, meta block and workspace). */
  get _backend(): Backend {
    return this._live().backend;
  }

  /** @internal The backend's kernels. */
  get _k(): Kernels {
    return this._live().backend.k;
  }

  /** @internal A live view of the data: valid until the next allocation (the heap may grow and move). */
  _view(): Float32Array {
    const s = this._live();
    const p = s.ptr >>> 2;
    return s.backend.heap.f32.subarray(p, p + this.size);
  }

  /** @internal Marks an in-place write, so backward() can refuse a saved tensor that changed since. */
  _written(): void {
    this._live().version++;
  }

  /** @internal The storage's write count (see _written). */
  get _version(): number {
    return this._live().version;
  }

  /** @internal Another handle views the same storage. */
  get _shared(): boolean {
    return this._live().refs > 1;
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
  data(): Float32Array<ArrayBuffer> {
    return new Float32Array(this._view());
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
   * Node's util.inspect (console.log of a tensor): the values, nested as
   * PyTorch prints them, up to 1,000 of them; the shape alone beyond that.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    if (this.isDisposed || this._storage!.backend.disposed || this.size > 1000) return this.toString();
    const num = (v: number) => (Number.isInteger(v) && Math.abs(v) < 1e16 ? `${v}.` : String(+v.toPrecision(5)));
    const d = this.data();
    let i = 0;
    const nest = (dim: number, indent: string): string => {
      if (dim === this.shape.length) return num(d[i++]);
      const parts = Array.from({ length: this.shape[dim] }, () => nest(dim + 1, indent + " "));
      const sep = dim === this.shape.length - 1 ? ", " : `,\n${indent} `;
      return `[${parts.join(sep)}]`;
    };
    return `tensor(${nest(0, "       ")}${this.requiresGrad ? ", requiresGrad=true" : ""})`;
  }
}

// The ops as methods (x.add(y), x.relu(), x.backward(), ...) are attached by
// tensor-methods.ts, so that this module needs none of ops/ and autograd/'s
// walk: the layers import Tensor, never the other way round.

export function isTensor(x: unknown): x is Tensor {
  return typeof x === "object" && x !== null && (x as { _isTensor?: unknown })._isTensor === true;
}
