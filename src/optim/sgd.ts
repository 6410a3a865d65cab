// SGD with momentum, dampening, Nesterov and weight decay (PyTorch's rule),
// one fused kernel per parameter.
import type { Tensor } from "../tensor.js";
import { checkNumber, Optimizer } from "./optimizer.js";
import { overElements } from "../backend/parallel.js";

export interface SGDOptions {
  lr?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super(params, options.lr ?? 0.01, "SGD");
    this.momentum = checkNumber("SGD", "momentum", options.momentum ?? 0, 0);
    this.dampening = checkNumber("SGD", "dampening", options.dampening ?? 0, 0, 1);
    this.weightDecay = checkNumber("SGD", "weightDecay", options.weightDecay ?? 0, 0);
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) {
      throw new Error("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
    }
  }

  protected hyperparameters() {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  protected update(p: Tensor, grad: Tensor, t: number): void {
    const buf = this.momentum !== 0 ? this.stateOf(p, ["momentumBuffer"])[0] : null;
    const first = t === 1 ? 1 : 0; // the momentum buffer starts as the first gradient
    overElements(
      p._backend,
      "sgdStep",
      p.size,
      [
        [p._ptr, 4],
        [grad._ptr, 4],
        buf === null ? [0, 0] : [buf._ptr, 4], // no buffer without momentum
      ],
      [this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov ? 1 : 0, first],
    );
  }
}
