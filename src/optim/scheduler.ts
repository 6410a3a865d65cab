// Learning-rate schedulers: call step() once per epoch (or per step), after
// optimizer.step(), as in PyTorch.
import type { Optimizer } from "./optimizer.js";

/** A scheduler's state (PyTorch's `state_dict()`): its counters; the optimizer's learning rate is in the optimizer's. */
export type SchedulerStateDict = Record<string, number>;

/** Copies the numbers of `keys` from a state dict onto a scheduler, refusing a dict that lacks one. */
function loadNumbers(op: string, target: object, sd: SchedulerStateDict, keys: readonly string[]): void {
  for (const k of keys) {
    if (typeof sd?.[k] !== "number") throw new TypeError(`${op}.loadStateDict: expected a number ${k}, as stateDict() gives`);
  }
  for (const k of keys) (target as Record<string, number>)[k] = sd[k];
}

export abstract class LRScheduler {
  /** The learning rate the schedule starts from (the optimizer's when the scheduler was made). */
  baseLr: number;
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
  /** The schedule's position and starting rate, to save. */
  stateDict(): SchedulerStateDict {
    return { epoch: this.epoch, baseLr: this.baseLr };
  }
  /** Goes on from a saved position (load the optimizer's state too: it holds the current rate). */
  loadStateDict(sd: SchedulerStateDict): void {
    loadNumbers(this.constructor.name, this, sd, ["epoch", "baseLr"]);
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

export interface ReduceLROnPlateauOptions {
  /** "min": a lower metric is better (a loss); "max": higher (an accuracy). */
  mode?: "min" | "max";
  /** The learning rate is multiplied by this when the metric stops improving (0.1). */
  factor?: number;
  /** Epochs without improvement to wait before reducing (10). */
  patience?: number;
  /** How much better counts as better (1e-4), relative to the best or absolute (thresholdMode). */
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again (0). */
  cooldown?: number;
  minLr?: number;
  /** A reduction smaller than this is skipped (1e-8). */
  eps?: number;
}

/**
 * Reduces the learning rate when a metric has stopped improving, as
 * PyTorch's: call step(metric) once per epoch with the validation loss (fit()
 * does, from its validate function). The lecture's stopping rule, applied to
 * the step size instead of the run.
 */
export class ReduceLROnPlateau {
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  epoch = 0;

  constructor(
    readonly optimizer: Optimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    this.mode = options.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max")
      throw new TypeError(`ReduceLROnPlateau: mode must be "min" or "max", got ${String(options.mode)}`);
    this.factor = options.factor ?? 0.1;
    if (!(this.factor >= 0 && this.factor < 1))
      throw new TypeError(`ReduceLROnPlateau: factor must be in [0, 1), got ${String(options.factor)}`);
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? "rel";
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") {
      throw new TypeError(`ReduceLROnPlateau: thresholdMode must be "rel" or "abs", got ${String(options.thresholdMode)}`);
    }
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.eps = options.eps ?? 1e-8;
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  private isBetter(a: number): boolean {
    const t = this.threshold,
      b = this.best;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < b * (1 - t) : a < b - t;
    return this.thresholdMode === "rel" ? a > b * (1 + t) : a > b + t;
  }

  /** One epoch's metric. */
  step(metric: number): void {
    // NaN is a number that is never better: a bad epoch, as in PyTorch
    if (typeof metric !== "number")
      throw new TypeError(`ReduceLROnPlateau: step needs the epoch's metric as a number, got ${String(metric)}`);
    this.epoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      if (old - next > this.eps) this.optimizer.lr = next;
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number {
    return this.optimizer.lr;
  }

  /** The best metric and the counters, to save. */
  stateDict(): SchedulerStateDict {
    return { best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, epoch: this.epoch };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    loadNumbers("ReduceLROnPlateau", this, sd, ["best", "numBadEpochs", "cooldownCounter", "epoch"]);
  }
}
