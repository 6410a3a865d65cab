// Element-wise comparisons and choices between tensors, with broadcasting:
// eq, ne, gt, ge, lt, le (1 where true, 0 where false: tensors are float32;
// no gradient), maximum and minimum (NaN propagates; a tie splits the
// gradient in halves, as PyTorch) and where(cond, a, b) (cond non-zero, NaN
// included, picks a). A number stands for a tensor of that value.
import { traced } from "./trace.js";
import { BIN_EQ, BIN_GE, BIN_GT, BIN_LE, BIN_LT, BIN_MAX, BIN_MAX_SHARE, BIN_MIN, BIN_MUL, BIN_NE } from "../backend/kernels.js";
import { needsGrad, record } from "../autograd/node.js";
import { tidy } from "../tidy.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { overElements } from "../backend/parallel.js";
import { expandTo, sumTo } from "./broadcast.js";
import { checkOperand, checkTensor, writeMeta } from "./util.js";

/** A 0-d tensor of v, for a number operand (the caller disposes it). */
function scalar(v: number): Tensor {
  const t = Tensor._empty([]);
  t._k.fill(t._ptr, 1, v);
  return t;
}

/** Calls fn with both operands as tensors (numbers as 0-d ones, freed after). */
function withTensors<T>(op: string, a: unknown, b: unknown, fn: (a: Tensor, b: Tensor) => T): T {
  const x = checkOperand(op, a),
    y = checkOperand(op, b);
  if (typeof x === "number" && typeof y === "number") throw new TypeError(`${op}: at least one operand must be a Tensor`);
  const tx = typeof x === "number" ? scalar(x) : x,
    ty = typeof y === "number" ? scalar(y) : y;
  try {
    return fn(tx, ty);
  } finally {
    if (tx !== x) tx.dispose();
    if (ty !== y) ty.dispose();
  }
}

/** A comparison by its broadcast code: 1 where true, else 0; not differentiable (as PyTorch's bool result). */
function comparison(op: string, code: number, a: Tensor | number, b: Tensor | number): Tensor {
  return traced(op, [a, b], {}, () => withTensors(op, a, b, (x, y) => broadcastOp(op, code, x, y)));
}

export const eq = (a: Tensor | number, b: Tensor | number): Tensor => comparison("eq", BIN_EQ, a, b);
export const ne = (a: Tensor | number, b: Tensor | number): Tensor => comparison("ne", BIN_NE, a, b);
export const gt = (a: Tensor | number, b: Tensor | number): Tensor => comparison("gt", BIN_GT, a, b);
export const ge = (a: Tensor | number, b: Tensor | number): Tensor => comparison("ge", BIN_GE, a, b);
export const lt = (a: Tensor | number, b: Tensor | number): Tensor => comparison("lt", BIN_LT, a, b);
export const le = (a: Tensor | number, b: Tensor | number): Tensor => comparison("le", BIN_LE, a, b);

/** a (op) b broadcast, by the broadcast kernel's code; no tape. */
function broadcastOp(op: string, code: number, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = Tensor._empty(shape);
  if (out.size === 0) return out;
  const be = out._backend;
  writeMeta(op, be, shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
  be.k.binaryBroadcast(code, a._ptr, b._ptr, out._ptr, be.meta);
  return out;
}

/** maximum or minimum, whose gradient shares are max-share(a, b) for the winner's side. */
function extreme(op: "maximum" | "minimum", a: Tensor, b: Tensor): Tensor {
  return traced(op, [a, b], {}, () => extremeOf(op, a, b));
}

function extremeOf(op: "maximum" | "minimum", a: Tensor, b: Tensor): Tensor {
  checkTensor(op, a);
  checkTensor(op, b);
  const out = broadcastOp(op, op === "maximum" ? BIN_MAX : BIN_MIN, a, b);
  if (needsGrad(a, b)) {
    record(out, op, [a, b], [a, b], (g, [as, bs]) =>
      tidy(() => {
        // maximum: a's share is share(a, b), b's share(b, a); minimum mirrors the arguments
        const [p, q] = op === "maximum" ? [as, bs] : [bs, as];
        const shareA = broadcastOp(op, BIN_MAX_SHARE, p, q);
        const shareB = broadcastOp(op, BIN_MAX_SHARE, q, p);
        return [
          a.requiresGrad ? sumTo(broadcastOp(op, BIN_MUL, g, shareA), a.shape) : null,
          b.requiresGrad ? sumTo(broadcastOp(op, BIN_MUL, g, shareB), b.shape) : null,
        ];
      }),
    );
  }
  return out;
}

export function maximum(a: Tensor, b: Tensor): Tensor {
  return extreme("maximum", a, b);
}

export function minimum(a: Tensor, b: Tensor): Tensor {
  return extreme("minimum", a, b);
}

/** a where cond is non-zero, else b; the three broadcast together, and a or b may be a number. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  return traced("where", [cond, a, b], {}, () => {
    checkTensor("where", cond, "cond");
    if (typeof a === "number" || typeof b === "number") {
      const x = typeof a === "number" ? scalar(a) : a,
        y = typeof b === "number" ? scalar(b) : b;
      try {
        return where(cond, x, y);
      } finally {
        if (x !== a) x.dispose();
        if (y !== b) y.dispose();
      }
    }
    checkTensor("where", a);
    checkTensor("where", b);
    const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, a.shape), b.shape);
    const [c, x, y] = [cond, a, b].map((t) => expandTo(t, shape));
    const out = Tensor._empty(shape);
    overElements(out._backend, "select", out.size, [
      [c._ptr, 4],
      [x._ptr, 4],
      [y._ptr, 4],
      [out._ptr, 4],
    ]);
    x.dispose();
    y.dispose();
    if (!needsGrad(a, b)) {
      c.dispose();
      return out;
    }
    const grad = (g: Tensor, cs: Tensor, whenTrue: number, shapeOf: number[]) => {
      const r = Tensor._empty(g.shape.slice());
      overElements(
        r._backend,
        "selectGrad",
        g.size,
        [
          [cs._ptr, 4],
          [g._ptr, 4],
          [r._ptr, 4],
        ],
        [whenTrue],
      );
      const s = sumTo(r, shapeOf);
      r.dispose();
      return s;
    };
    record(out, "where", [a, b], [c], (g, [cs]) => [
      a.requiresGrad ? grad(g, cs, 1, a.shape) : null,
      b.requiresGrad ? grad(g, cs, 0, b.shape) : null,
    ]);
    c.dispose();
    return out;
  });
}
