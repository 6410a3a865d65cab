// add sub mul div pow with NumPy broadcasting; a plain number on either side
// is a scalar. Each forward, then its backward rule (gradients reduced back to
// each input's shape by sumTo).
import { traced } from "./trace.js";
import { BIN_ADD, BIN_DIV, BIN_MUL, BIN_POW, BIN_SUB } from "../backend/kernels.js";
import { needsGrad, record } from "../autograd/node.js";
import { tidy } from "../tidy.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides, sameShape } from "../shape.js";
import { sumTo } from "./broadcast.js";
import { checkOperand, writeMeta } from "./util.js";
import { log, neg, powScalar } from "./unary.js";

/** A tensor, or a number that acts as one of every shape. */
export type Operand = Tensor | number;

const SAME_SHAPE_KERNEL = ["add", "sub", "mul", "div"] as const;

/** out = a (op) b, broadcast; no tape. */
function compute(op: string, code: number, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = Tensor._empty(shape);
  const be = out._backend;
  if (code < 4 && sameShape(a.shape, b.shape)) {
    be.k[SAME_SHAPE_KERNEL[code]](a._ptr, b._ptr, out._ptr, out.size);
  } else {
    writeMeta(op, be, shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
    be.k.binaryBroadcast(code, a._ptr, b._ptr, out._ptr, be.meta);
  }
  return out;
}

/** out = x * s + t; no tape. */
export function affine(x: Tensor, s: number, t: number): Tensor {
  const out = Tensor._empty(x.shape.slice());
  out._k.affine(x._ptr, out._ptr, x.size, s, t);
  return out;
}

/** A 0-d tensor holding a scalar operand (for the rare number-first forms). */
function scalar(v: number): Tensor {
  const t = Tensor._empty([]);
  t._k.fill(t._ptr, 1, v);
  return t;
}

function operands(op: string, a: unknown, b: unknown): [Operand, Operand] {
  const x = checkOperand(op, a),
    y = checkOperand(op, b);
  if (typeof x === "number" && typeof y === "number") {
    throw new TypeError(`${op}: at least one operand must be a Tensor`);
  }
  return [x, y];
}

export function add(a: Operand, b: Operand): Tensor {
  return traced("add", [a, b], {}, () => {
    const [x, y] = operands("add", a, b);
    if (typeof y === "number" || typeof x === "number") {
      const t = typeof x === "number" ? (y as Tensor) : x;
      const s = typeof x === "number" ? x : (y as number);
      const out = affine(t, 1, s);
      if (needsGrad(t)) record(out, "add", [t], [], (g) => [g._share()]);
      return out;
    }
    const out = compute("add", BIN_ADD, x, y);
    if (needsGrad(x, y)) record(out, "add", [x, y], [], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
    return out;
  });
}

export function sub(a: Operand, b: Operand): Tensor {
  return traced("sub", [a, b], {}, () => {
    const [x, y] = operands("sub", a, b);
    if (typeof y === "number") {
      const out = affine(x as Tensor, 1, -y);
      if (needsGrad(x)) record(out, "sub", [x as Tensor], [], (g) => [g._share()]);
      return out;
    }
    if (typeof x === "number") {
      const out = affine(y, -1, x);
      if (needsGrad(y)) record(out, "sub", [y], [], (g) => [neg(g)]);
      return out;
    }
    const out = compute("sub", BIN_SUB, x, y);
    if (needsGrad(x, y)) {
      record(out, "sub", [x, y], [], (g) => [sumTo(g, x.shape), tidy(() => sumTo(neg(g), y.shape))]);
    }
    return out;
  });
}

export function mul(a: Operand, b: Operand): Tensor {
  return traced("mul", [a, b], {}, () => {
    const [x, y] = operands("mul", a, b);
    if (typeof y === "number" || typeof x === "number") {
      const t = typeof x === "number" ? (y as Tensor) : x;
      const s = typeof x === "number" ? x : (y as number);
      const out = affine(t, s, 0);
      if (needsGrad(t)) record(out, "mul", [t], [], (g) => [affine(g, s, 0)]);
      return out;
    }
    const out = compute("mul", BIN_MUL, x, y);
    if (needsGrad(x, y)) {
      record(out, "mul", [x, y], [x, y], (g, [xs, ys]) =>
        tidy(() => [
          x.requiresGrad ? sumTo(compute("mul", BIN_MUL, g, ys), x.shape) : null,
          y.requiresGrad ? sumTo(compute("mul", BIN_MUL, g, xs), y.shape) : null,
        ]),
      );
    }
    return out;
  });
}

export function div(a: Operand, b: Operand): Tensor {
  return traced("div", [a, b], {}, () => {
    const [x, y] = operands("div", a, b);
    if (typeof y === "number") {
      const out = affine(x as Tensor, 1 / y, 0);
      if (needsGrad(x)) record(out, "div", [x as Tensor], [], (g) => [affine(g, 1 / y, 0)]);
      return out;
    }
    if (typeof x === "number") {
      const s = scalar(x);
      try {
        return div(s, y);
      } finally {
        s.dispose();
      }
    }
    const out = compute("div", BIN_DIV, x, y);
    if (needsGrad(x, y)) {
      // d(x/y)/dx = 1/y; d(x/y)/dy = -(x/y)/y
      record(out, "div", [x, y], [y, out], (g, [ys, outs]) =>
        tidy(() => {
          const gy = compute("div", BIN_DIV, g, ys);
          return [
            x.requiresGrad ? sumTo(gy, x.shape) : null,
            y.requiresGrad ? sumTo(neg(compute("mul", BIN_MUL, gy, outs)), y.shape) : null,
          ];
        }),
      );
    }
    return out;
  });
}

/** x ** p: a number exponent uses the scalar kernel; a tensor exponent broadcasts. */
export function pow(a: Operand, b: Operand): Tensor {
  return traced("pow", [a, b], {}, () => {
    const [x, y] = operands("pow", a, b);
    if (typeof y === "number") return powScalar(x as Tensor, y);
    if (typeof x === "number") {
      const s = scalar(x);
      try {
        return pow(s, y);
      } finally {
        s.dispose();
      }
    }
    const out = compute("pow", BIN_POW, x, y);
    if (needsGrad(x, y)) {
      // d x^y/dx = y x^(y-1); d x^y/dy = x^y ln x
      record(out, "pow", [x, y], [x, y, out], (g, [xs, ys, outs]) =>
        tidy(() => [
          x.requiresGrad
            ? sumTo(compute("mul", BIN_MUL, compute("mul", BIN_MUL, g, ys), compute("pow", BIN_POW, xs, affine(ys, 1, -1))), x.shape)
            : null,
          y.requiresGrad ? sumTo(compute("mul", BIN_MUL, compute("mul", BIN_MUL, g, outs), log(xs)), y.shape) : null,
        ]),
      );
    }
    return out;
  });
}
