// Windows of a tensor along one dim and their inverses: narrow, split and
// chunk (windows read out), cat and stack (windows written in), and constant
// padding. All go through one strided-copy kernel (copyStrided, whose reads
// and writes are both strided); each gradient is the other direction of
// the same copy.
import { traced } from "./trace.js";
import { needsGrad, record } from "../autograd/node.js";
import { Tensor } from "../tensor.js";
import { fmtShape, normDim, stridesOf } from "../shape.js";
import { checkTensor, writeMeta } from "./util.js";
import { unsqueeze } from "./layout.js";

/**
 * dst[dstAt + window] = src[srcAt + window] over `shape`, both read with
 * their own (full) strides: the window's first element is at element offset
 * srcAt of src and dstAt of dst.
 */
function copyWindow(op: string, src: Tensor, srcAt: number, dst: Tensor, dstAt: number, shape: readonly number[]): void {
  if (shape.some((n) => n === 0)) return;
  const b = dst._backend;
  writeMeta(op, b, shape, stridesOf(src.shape), stridesOf(dst.shape));
  b.k.copyStrided(src._ptr + 4 * srcAt, dst._ptr + 4 * dstAt, b.meta);
}

/** A zero-filled tensor of `shape` (no tape). */
function zerosOf(shape: readonly number[]): Tensor {
  const z = Tensor._empty(shape.slice());
  z._k.fill(z._ptr, z.size, 0);
  return z;
}

function checkCount(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${op}: ${name} must be an integer, got ${String(v)}`);
  return v;
}

/** The elements start..start+length-1 along dim (start may be negative, counted from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  return traced("narrow", [x], { dim, start, length }, () => {
    checkTensor("narrow", x);
    if (x.shape.length === 0) throw new Error("narrow: cannot narrow a 0-d tensor");
    const d = normDim("narrow", dim, x.shape);
    const size = x.shape[d];
    checkCount("narrow", "start", start);
    checkCount("narrow", "length", length);
    const s = start < 0 ? start + size : start;
    if (s < 0 || s > size || length < 0 || s + length > size) {
      throw new Error(`narrow: start ${start} and length ${length} fall outside dim ${dim} of size ${size} (shape ${fmtShape(x.shape)})`);
    }
    const shape = x.shape.slice();
    shape[d] = length;
    const step = stridesOf(x.shape)[d];
    const out = Tensor._empty(shape);
    copyWindow("narrow", x, s * step, out, 0, shape);
    if (needsGrad(x)) {
      record(out, "narrow", [x], [], (g) => {
        const dx = zerosOf(x.shape);
        copyWindow("narrow", g, 0, dx, s * step, shape);
        return [dx];
      });
    }
    return out;
  });
}

/** Pieces along dim: of `size` each (the last may be smaller), or of the given sizes (which must add up to the dim). */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  return traced("split", [x], { sizeOrSizes, dim }, () => {
    checkTensor("split", x);
    if (x.shape.length === 0) throw new Error("split: cannot split a 0-d tensor");
    const d = normDim("split", dim, x.shape);
    const n = x.shape[d];
    let sizes: number[];
    if (typeof sizeOrSizes === "number") {
      const size = checkCount("split", "size", sizeOrSizes);
      if (size < 1 && n > 0) throw new Error(`split: size must be positive, got ${size}`);
      sizes = [];
      for (let at = 0; at < n; at += size) sizes.push(Math.min(size, n - at));
      if (n === 0) sizes = [0];
    } else {
      if (!Array.isArray(sizeOrSizes)) throw new TypeError(`split: expected a size or an array of sizes, got ${String(sizeOrSizes)}`);
      sizes = sizeOrSizes.map((s) => checkCount("split", "sizes", s));
      const total = sizes.reduce((a, b) => a + b, 0);
      if (sizes.some((s) => s < 0) || total !== n) {
        throw new Error(
          `split: sizes ${JSON.stringify(sizeOrSizes)} must be non-negative and add up to ${n} (dim ${dim} of ${fmtShape(x.shape)})`,
        );
      }
    }
    const out: Tensor[] = [];
    let at = 0;
    for (const s of sizes) {
      out.push(narrow(x, d, at, s));
      at += s;
    }
    return out;
  });
}

/** n pieces along dim as PyTorch cuts them: ceil(size / n) each, so there may be fewer than n. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  return traced("chunk", [x], { chunks, dim }, () => {
    checkTensor("chunk", x);
    checkCount("chunk", "chunks", chunks);
    if (chunks < 1) throw new Error(`chunk: chunks must be positive, got ${chunks}`);
    if (x.shape.length === 0) throw new Error("chunk: cannot chunk a 0-d tensor");
    const d = normDim("chunk", dim, x.shape);
    const n = x.shape[d];
    if (n === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0)); // PyTorch: `chunks` empty pieces
    return split(x, Math.ceil(n / chunks), dim);
  });
}

function checkList(op: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${op}: expected an array of tensors, got ${String(tensors)}`);
  if (tensors.length === 0) throw new Error(`${op}: expected a non-empty array of tensors`);
  return tensors.map((t, i) => checkTensor(op, t, `tensor ${i}`));
}

/** The tensors joined along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return traced("cat", [...tensors], { dim }, () => {
    const xs = checkList("cat", tensors);
    const first = xs[0];
    if (first.shape.length === 0) throw new Error("cat: zero-dimensional tensors cannot be concatenated (use stack)");
    const d = normDim("cat", dim, first.shape);
    for (const [i, t] of xs.entries()) {
      if (t.shape.length !== first.shape.length || t.shape.some((n, k) => k !== d && n !== first.shape[k])) {
        throw new Error(
          `cat: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 ${fmtShape(first.shape)}: sizes must match except in dim ${dim}`,
        );
      }
    }
    const shape = first.shape.slice();
    shape[d] = xs.reduce((s, t) => s + t.shape[d], 0);
    const out = Tensor._empty(shape);
    const step = stridesOf(shape)[d];
    const offsets: number[] = [];
    let at = 0;
    for (const t of xs) {
      offsets.push(at);
      copyWindow("cat", t, 0, out, at * step, t.shape);
      at += t.shape[d];
    }
    if (needsGrad(...xs)) {
      record(out, "cat", xs, [], (g) =>
        xs.map((t, i) => {
          if (!t.requiresGrad) return null;
          const dt = Tensor._empty(t.shape.slice());
          copyWindow("cat", g, offsets[i] * step, dt, 0, t.shape);
          return dt;
        }),
      );
    }
    return out;
  });
}

/** The tensors (all of one shape) joined along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return traced("stack", [...tensors], { dim }, () => {
    const xs = checkList("stack", tensors);
    for (const [i, t] of xs.entries()) {
      if (t.shape.length !== xs[0].shape.length || t.shape.some((n, k) => n !== xs[0].shape[k])) {
        throw new Error(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, tensor 0 ${fmtShape(xs[0].shape)}: all must be equal`);
      }
    }
    const d = normDim("stack", dim, xs[0].shape, 1);
    const views = xs.map((t) => unsqueeze(t, d));
    try {
      return cat(views, d);
    } finally {
      for (const v of views) v.dispose();
    }
  });
}

/**
 * Constant padding as torch.nn.functional.pad: `pads` holds (before, after)
 * pairs starting from the last dim ([left, right, top, bottom, ...]);
 * negative pads crop.
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  return traced("pad", [x], { pads, value }, () => {
    checkTensor("pad", x);
    if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.some((p) => typeof p !== "number" || !Number.isInteger(p))) {
      throw new TypeError(`pad: pads must be an even-length array of integers, got ${JSON.stringify(pads)}`);
    }
    if (pads.length / 2 > x.shape.length) {
      throw new Error(`pad: ${pads.length / 2} dims of padding for a ${x.shape.length}-D tensor ${fmtShape(x.shape)}`);
    }
    if (typeof value !== "number") throw new TypeError(`pad: value must be a number, got ${String(value)}`);
    const nd = x.shape.length;
    const before = x.shape.map(() => 0),
      after = x.shape.map(() => 0);
    for (let i = 0; i < pads.length / 2; i++) {
      before[nd - 1 - i] = pads[2 * i];
      after[nd - 1 - i] = pads[2 * i + 1];
    }
    const shape = x.shape.map((n, i) => n + before[i] + after[i]);
    if (shape.some((n) => n < 0)) throw new Error(`pad: pads ${JSON.stringify(pads)} crop ${fmtShape(x.shape)} below size 0`);
    // the part of x that survives, where it starts in x and in the output
    const keep = x.shape.map((n, i) => Math.max(0, Math.min(n - Math.max(0, -before[i]), shape[i] - Math.max(0, before[i]))));
    const srcAt = offsetOf(
      x.shape,
      x.shape.map((_, i) => Math.max(0, -before[i])),
    );
    const dstAt = offsetOf(
      shape,
      shape.map((_, i) => Math.max(0, before[i])),
    );
    const out = Tensor._empty(shape);
    out._k.fill(out._ptr, out.size, value);
    copyWindow("pad", x, srcAt, out, dstAt, keep);
    if (needsGrad(x)) {
      record(out, "pad", [x], [], (g) => {
        const dx = zerosOf(x.shape);
        copyWindow("pad", g, dstAt, dx, srcAt, keep);
        return [dx];
      });
    }
    return out;
  });
}

/** Element offset of index `at` in a contiguous tensor of `shape`. */
function offsetOf(shape: readonly number[], at: readonly number[]): number {
  const st = stridesOf(shape);
  return at.reduce((s, a, i) => s + a * st[i], 0);
}
