// RMSprop (PyTorch's rule, optional momentum), one fused kernel per parameter.
import type { Tensor } from "../tensor.js";
import { checkNumber, Optimizer } from "./optimizer.js";
import { overElements } from "../backend/parallel.js";

export interface RMSpropOptions {
  lr?: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
}

export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly momentum: number;

  constructor(params: Iterable<Tensor>, options: RMSpropOptions = {}) {
    super(params, options.lr ?? 0.01, "RMSprop");
    this.alpha = checkNumber("RMSprop", "alpha", options.alpha ?? 0.99, 0, 1);
    this.eps = checkNumber("RMSprop", "eps", options.eps ?? 1e-8, 0);
    this.weightDecay = checkNumber("RMSprop", "weightDecay", options.weightDecay ?? 0, 0);
    this.momentum = checkNumber("RMSprop", "momentum", options.momentum ?? 0, 0);
  }

  protected hyperparameters() {
    return { alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum };
  }

  protected update(p: Tensor, grad: Tensor): void {
    const state = this.stateOf(p, this.momentum !== 0 ? ["squareAvg", "momentumBuffer"] : ["squareAvg"]);
    overElements(
      p._backend,
      "rmspropStep",
      p.size,
      [[p._ptr, 4], [grad._ptr, 4], [state[0]._ptr, 4], state.length > 1 ? [state[1]._ptr, 4] : [0, 0]],
      [this.lr, this.alpha, this.eps, this.weightDecay, this.momentum],
    );
  }
}
