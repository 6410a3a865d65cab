// Element-wise choices between tensors, with broadcasting: maximum and
// minimum (NaN propagates; a tie splits the gradient in halves, as PyTorch)
// and where(cond, a, b) (cond non-zero, NaN included, picks a).
import { BIN_MAX, BIN_MAX_SHARE, BIN_MIN, BIN_MUL } from "../backend/kernels.js";
import { needsGrad, record } from "../autograd/node.js";
import { tidy } from "../tidy.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { overElements } from "../backend/parallel.js";
import { expandTo, sumTo } from "./broadcast.js";
import { checkTensor, writeMeta } from "./util.js";

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

/** a where cond is non-zero, else b; the three broadcast together. */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  checkTensor("where", cond, "cond");
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
}
