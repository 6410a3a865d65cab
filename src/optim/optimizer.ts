// The base of every optimizer: the parameters, per-parameter state tensors
// (kept: no tidy() frees them), zeroGrad(), and a learning rate that the
// schedulers adjust.
import { keep } from "../tidy.js";
import { isTensor, type Tensor } from "../tensor.js";
import { full } from "../creation.js";
import { noGrad } from "../autograd/grad-mode.js";

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  private readonly state = new Map<Tensor, Tensor[]>();
  private readonly steps = new Map<Tensor, number>();

  constructor(params: Iterable<Tensor>, lr: number, name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${name}: got an empty parameter list`);
    for (const p of this.params) if (!isTensor(p)) throw new TypeError(`${name}: every parameter must be a Tensor`);
    if (typeof lr !== "number" || !(lr >= 0)) throw new TypeError(`${name}: lr must be a non-negative number, got ${String(lr)}`);
    this.lr = lr;
  }

  /** Clears every parameter's gradient (PyTorch's set_to_none). */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** One update of every parameter that has a gradient, in place. */
  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        if (p.grad === null || p.grad.isDisposed) continue;
        p._written();
        const t = (this.steps.get(p) ?? 0) + 1;
        this.steps.set(p, t);
        this.update(p, p.grad, t);
      }
    });
  }

  /** t counts this parameter's own updates (1 on its first). */
  protected abstract update(p: Tensor, grad: Tensor, t: number): void;

  /** `count` state tensors of p's shape filled with `initial` (0), created on first use. */
  protected stateOf(p: Tensor, count: number, initial = 0): Tensor[] {
    let s = this.state.get(p);
    if (s === undefined) {
      s = Array.from({ length: count }, () => keep(full(p.shape.slice(), initial)));
      this.state.set(p, s);
    }
    return s;
  }

  /** Frees the optimizer state. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s) t.dispose();
    this.state.clear();
  }
}

export function checkNumber(op: string, name: string, v: unknown, lo: number, hi = Infinity): number {
  if (typeof v !== "number" || !(v >= lo && v <= hi))
    throw new TypeError(`${op}: ${name} must be a number in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}
