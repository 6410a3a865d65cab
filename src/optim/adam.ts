// Adam and AdamW (decoupled weight decay), with bias correction, one fused
// kernel per parameter.
import type { Tensor } from "../tensor.js";
import { checkNumber, Optimizer } from "./optimizer.js";
import { overElements } from "../backend/parallel.js";

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected readonly decoupled: boolean = false;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}, name = "Adam", defaultDecay = 0) {
    super(params, options.lr ?? 0.001, name);
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.betas = [checkNumber(name, "betas[0]", b1, 0, 0.999999), checkNumber(name, "betas[1]", b2, 0, 0.999999)];
    this.eps = checkNumber(name, "eps", options.eps ?? 1e-8, 0);
    this.weightDecay = checkNumber(name, "weightDecay", options.weightDecay ?? defaultDecay, 0);
  }

  protected hyperparameters() {
    return { betas: this.betas, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected update(p: Tensor, grad: Tensor, t: number): void {
    const [m, v] = this.stateOf(p, ["expAvg", "expAvgSq"]);
    const [b1, b2] = this.betas;
    overElements(
      p._backend,
      "adamStep",
      p.size,
      [
        [p._ptr, 4],
        [grad._ptr, 4],
        [m._ptr, 4],
        [v._ptr, 4],
      ],
      [this.lr, b1, b2, this.eps, this.weightDecay, this.decoupled ? 1 : 0, this.lr / (1 - b1 ** t), Math.sqrt(1 - b2 ** t)],
    );
  }
}

/** Adam with decoupled weight decay (default 0.01, as PyTorch). */
export class AdamW extends Adam {
  protected override readonly decoupled = true;
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, options, "AdamW", 0.01);
  }
}
