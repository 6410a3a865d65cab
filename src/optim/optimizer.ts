// The base of every optimizer: the parameters, per-parameter state tensors
// by name (kept: no tidy() frees them), zeroGrad(), a learning rate that the
// schedulers adjust, and the state as PyTorch's state_dict has it, so a run
// can stop and go on.
import { keep } from "../tidy.js";
import { isTensor, type Tensor } from "../tensor.js";
import { full } from "../creation.js";
import { noGrad } from "../autograd/grad-mode.js";
import { fmtShape } from "../shape.js";

/** A hyperparameter as an optimizer keeps it. */
export type Hyperparameter = number | boolean | readonly number[];

/**
 * An optimizer's state as PyTorch's `state_dict()` has it (names in
 * camelCase): per parameter index, its step count and state tensors (Adam's
 * `expAvg` and `expAvgSq`, SGD's `momentumBuffer`, ...), only for parameters
 * that have been stepped; and one group of the hyperparameters and the
 * parameter indices.
 */
export interface OptimizerStateDict {
  state: Record<number, { step: number; [name: string]: Tensor | number }>;
  paramGroups: [{ lr: number; params: number[]; [name: string]: Hyperparameter | number[] }];
}

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  private readonly state = new Map<Tensor, Map<string, Tensor>>();
  private readonly steps = new Map<Tensor, number>();

  constructor(
    params: Iterable<Tensor>,
    lr: number,
    private readonly name: string,
  ) {
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

  /** p's state tensors of these names, each of p's shape and filled with `initial` (0) on first use. */
  protected stateOf(p: Tensor, names: readonly string[], initial = 0): Tensor[] {
    let s = this.state.get(p);
    if (s === undefined) this.state.set(p, (s = new Map()));
    return names.map((n) => {
      let t = s.get(n);
      if (t === undefined) s.set(n, (t = keep(full(p.shape.slice(), initial))));
      return t;
    });
  }

  /** The hyperparameters besides lr, as the constructor took them. */
  protected abstract hyperparameters(): Record<string, Hyperparameter>;

  /**
   * The state to save (PyTorch's `state_dict()`): the tensors are the
   * optimizer's own, not copies, so save them before the next step.
   */
  stateDict(): OptimizerStateDict {
    const state: OptimizerStateDict["state"] = {};
    this.params.forEach((p, i) => {
      const step = this.steps.get(p);
      if (step !== undefined) state[i] = { step, ...Object.fromEntries(this.state.get(p) ?? []) };
    });
    return { state, paramGroups: [{ lr: this.lr, ...this.hyperparameters(), params: this.params.map((_, i) => i) }] };
  }

  /**
   * Takes the state of `stateDict()` from an optimizer of the same kind over
   * parameters of the same shapes (copies of its tensors, so the dict may be
   * freed): step counts, state tensors and the learning rate. Other
   * hyperparameters must match the ones this optimizer was built with.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.name}.loadStateDict`;
    const group = sd?.paramGroups?.[0];
    if (typeof sd !== "object" || typeof sd.state !== "object" || sd.paramGroups.length !== 1 || typeof group?.lr !== "number")
      throw new TypeError(`${op}: expected { state, paramGroups: [{ lr, params, ... }] } as stateDict() gives`);
    if (group.params.length !== this.params.length)
      throw new Error(`${op}: the state dict has ${group.params.length} parameters, this optimizer ${this.params.length}`);
    for (const [k, v] of Object.entries(this.hyperparameters())) {
      if (JSON.stringify(group[k]) !== JSON.stringify(v))
        throw new Error(`${op}: ${k} is ${JSON.stringify(group[k])} in the state dict but ${JSON.stringify(v)} here`);
    }
    // check everything before changing anything
    const entries = Object.entries(sd.state).map(([i, { step, ...tensors }]) => {
      const p = this.params[Number(i)];
      if (p === undefined || !Number.isInteger(step) || step < 1)
        throw new Error(`${op}: no parameter ${i}, or step ${String(step)} is not a count`);
      for (const [n, t] of Object.entries(tensors)) {
        if (!isTensor(t) || t.isDisposed || fmtShape(t.shape) !== fmtShape(p.shape))
          throw new Error(`${op}: ${n} of parameter ${i} must be a live tensor of its shape ${fmtShape(p.shape)}`);
      }
      return [p, step, tensors as Record<string, Tensor>] as const;
    });
    this.dispose();
    this.steps.clear();
    noGrad(() => {
      for (const [p, step, tensors] of entries) {
        this.steps.set(p, step);
        this.state.set(p, new Map(Object.entries(tensors).map(([n, t]) => [n, keep(t.detach().clone())])));
      }
    });
    this.lr = group.lr;
  }

  /** Frees the optimizer state. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of s.values()) t.dispose();
    this.state.clear();
  }
}

export function checkNumber(op: string, name: string, v: unknown, lo: number, hi = Infinity): number {
  if (typeof v !== "number" || !(v >= lo && v <= hi))
    throw new TypeError(`${op}: ${name} must be a number in [${lo}, ${hi}], got ${String(v)}`);
  return v;
}
