// Learning-rate schedulers: call step() once per epoch (or per step), after
// optimizer.step(), as in PyTorch.
import type { Optimizer } from "./optimizer.js";

export abstract class LRScheduler {
  readonly baseLr: number;
  epoch = 0;
  constructor(readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  protected abstract lrAt(epoch: number): number;
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
  getLastLr(): number {
    return this.optimizer.lr;
  }
}

/** lr = base * gamma^floor(epoch / stepSize) */
export class StepLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly stepSize: number,
    readonly gamma = 0.1,
  ) {
    super(optimizer);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new TypeError(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
  }
  protected lrAt(e: number): number {
    return this.baseLr * this.gamma ** Math.floor(e / this.stepSize);
  }
}

/** lr = base * gamma^epoch */
export class ExponentialLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly gamma: number,
  ) {
    super(optimizer);
  }
  protected lrAt(e: number): number {
    return this.baseLr * this.gamma ** e;
  }
}

/** lr = etaMin + (base - etaMin) (1 + cos(pi epoch / tMax)) / 2 */
export class CosineAnnealingLR extends LRScheduler {
  constructor(
    optimizer: Optimizer,
    readonly tMax: number,
    readonly etaMin = 0,
  ) {
    super(optimizer);
    if (!(tMax > 0)) throw new TypeError(`CosineAnnealingLR: tMax must be positive, got ${tMax}`);
  }
  protected lrAt(e: number): number {
    return this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * e) / this.tMax))) / 2;
  }
}
