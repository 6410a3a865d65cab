// Adadelta and Adagrad (PyTorch's rules and defaults), one fused kernel per
// parameter each.
import type { Tensor } from "../tensor.js";
import { checkNumber, Optimizer } from "./optimizer.js";
import { overElements } from "../backend/parallel.js";

export interface AdadeltaOptions {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

/** Adadelta (Zeiler 2012) as PyTorch's: lr 1.0, rho 0.9, eps 1e-6. */
export class Adadelta extends Optimizer {
  readonly rho: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: AdadeltaOptions = {}) {
    super(params, options.lr ?? 1.0, "Adadelta");
    this.rho = checkNumber("Adadelta", "rho", options.rho ?? 0.9, 0, 1);
    this.eps = checkNumber("Adadelta", "eps", options.eps ?? 1e-6, 0);
    this.weightDecay = checkNumber("Adadelta", "weightDecay", options.weightDecay ?? 0, 0);
  }

  protected hyperparameters() {
    return { rho: this.rho, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected update(p: Tensor, grad: Tensor): void {
    const [sq, acc] = this.stateOf(p, ["squareAvg", "accDelta"]);
    overElements(
      p._backend,
      "adadeltaStep",
      p.size,
      [
        [p._ptr, 4],
        [grad._ptr, 4],
        [sq._ptr, 4],
        [acc._ptr, 4],
      ],
      [this.lr, this.rho, this.eps, this.weightDecay],
    );
  }
}

export interface AdagradOptions {
  lr?: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

/** Adagrad as PyTorch's: lr 0.01, lr / (1 + (t - 1) lrDecay) at step t, eps 1e-10. */
export class Adagrad extends Optimizer {
  readonly lrDecay: number;
  readonly weightDecay: number;
  readonly initialAccumulatorValue: number;
  readonly eps: number;

  constructor(params: Iterable<Tensor>, options: AdagradOptions = {}) {
    super(params, options.lr ?? 0.01, "Adagrad");
    this.lrDecay = checkNumber("Adagrad", "lrDecay", options.lrDecay ?? 0, 0);
    this.weightDecay = checkNumber("Adagrad", "weightDecay", options.weightDecay ?? 0, 0);
    this.initialAccumulatorValue = checkNumber("Adagrad", "initialAccumulatorValue", options.initialAccumulatorValue ?? 0, 0);
    this.eps = checkNumber("Adagrad", "eps", options.eps ?? 1e-10, 0);
  }

  protected hyperparameters() {
    return { lrDecay: this.lrDecay, weightDecay: this.weightDecay, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.eps };
  }

  protected update(p: Tensor, grad: Tensor, t: number): void {
    const [sum] = this.stateOf(p, ["sum"], this.initialAccumulatorValue);
    overElements(
      p._backend,
      "adagradStep",
      p.size,
      [
        [p._ptr, 4],
        [grad._ptr, 4],
        [sum._ptr, 4],
      ],
      [this.lr / (1 + (t - 1) * this.lrDecay), this.eps, this.weightDecay],
    );
  }
}
