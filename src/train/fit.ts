// fit(): the training loop the CLI, the benchmarks' users and anyone's code
// share. Epochs of trainStep() over the batches, a learning-rate scheduler,
// running loss and accuracy, an evaluation after each epoch, callbacks per
// batch and per epoch, and the ways to stop: the epochs run out, a stop
// signal, a loss that is no longer finite, or one of the three rules of
// classic gradient descent: the step is small (||w_t - w_{t-1}|| < eps), the
// gradient is small (||grad Q(w_t)|| < eps), or the validation loss stopped
// improving (early stopping with patience, restoring the best weights).
//
// It is async: every `yieldEvery` ms it lets the event loop run, so a signal
// handler, a Worker's messages or a page's rendering get their turn.
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import { ReduceLROnPlateau, type LRScheduler } from "../optim/scheduler.js";
import type { Batch } from "../data/loader.js";
import type { Tensor } from "../tensor.js";
import { keep, tidy } from "../tidy.js";
import { noGrad } from "../autograd/grad-mode.js";
import { squaredDistance, squaredNorm } from "../optim/norms.js";
import { evaluate, type Evaluation } from "./evaluate.js";
import { trainStep, type StepOptions, type TrainBatch } from "./step.js";

export interface BatchInfo {
  epoch: number;
  /** 1-based index of the batch in its epoch. */
  batch: number;
  /** Batches per epoch, when the data says (a DataLoader or an array does). */
  batches?: number;
  /** This batch's loss. */
  loss: number;
  /** Mean loss per sample over the epoch so far. */
  meanLoss: number;
  /** Fraction of the epoch's samples so far predicted right (when counted). */
  accuracy?: number;
  /** Samples of the epoch so far. */
  seen: number;
  samplesPerSecond: number;
  lr: number;
}

export interface EpochInfo {
  epoch: number;
  /** Mean training loss per sample. */
  loss: number;
  accuracy?: number;
  /** Training time of the epoch (without the evaluations). */
  seconds: number;
  samplesPerSecond: number;
  valLoss?: number;
  /** The evaluation on `test`, when given. */
  test?: Evaluation;
}

export interface FitOptions<B extends TrainBatch> extends StepOptions<B> {
  optimizer: Optimizer;
  epochs: number;
  /**
   * The training batches: a DataLoader or any iterable, iterated once per
   * epoch (a DataLoader reshuffles each time), or a function returning one
   * epoch's batches.
   */
  data: Iterable<B> | (() => Iterable<B>);
  /**
   * Stepped after every optimizer step (default), or after every epoch; a
   * ReduceLROnPlateau is stepped after every epoch with the validation loss
   * (it needs `validate`).
   */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  schedulerEvery?: "step" | "epoch";
  /** Count correct predictions for the running accuracy (default: with the default loss). */
  accuracy?: boolean;
  /** Evaluated after each epoch: accuracy and confusion matrix (EpochInfo.test). */
  test?: Iterable<Batch>;
  /** Validation loss, evaluated after each epoch (needed for patience). */
  validate?: (model: Module) => number;
  /** Stop when a step moves the parameters less than this (Euclidean norm over all). */
  stepTolerance?: number;
  /** Stop when the gradient's norm falls below this. */
  gradTolerance?: number;
  /** Stop after this many epochs without a better validation loss. */
  patience?: number;
  /** How much lower a validation loss must be to count as better (default 0). */
  minDelta?: number;
  /** With patience: put back the weights of the best epoch (default true). */
  restoreBest?: boolean;
  /** Stop after the current batch once aborted; that epoch is still evaluated and reported. */
  signal?: AbortSignal;
  /** Let the event loop run this often, in ms (default 50). */
  yieldEvery?: number;
  onBatch?: (info: BatchInfo) => void;
  /** May return a promise, which fit() awaits before the next epoch. */
  onEpoch?: (info: EpochInfo) => unknown;
}

export type StopReason = "epochs" | "signal" | "nonfinite" | "step" | "gradient" | "validation";

export interface FitResult {
  /** Epochs started (the last may be partial when stopped early). */
  epochs: number;
  steps: number;
  stoppedBy: StopReason;
  /** Mean training loss per epoch. */
  losses: number[];
  /** Training accuracy per epoch (when counted). */
  accuracies: number[];
  valLosses: number[];
  /** Test accuracy per epoch (with `test`). */
  testAccuracies: number[];
  bestEpoch?: number;
  /** Wall time of the whole fit, evaluations included. */
  seconds: number;
}

/** Lets pending events run: setImmediate in Node, a MessageChannel round trip elsewhere (setTimeout clamps to 4 ms). */
function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === "function") return new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === "function") {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}

function checkOptions<B extends TrainBatch>(o: FitOptions<B>): void {
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new TypeError(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (o.patience !== undefined && !o.validate) throw new Error("fit: patience needs a validate function");
  if (o.scheduler instanceof ReduceLROnPlateau && !o.validate)
    throw new Error("fit: ReduceLROnPlateau needs a validate function (it steps on the validation loss)");
  if (o.data === undefined || (typeof o.data !== "function" && typeof (o.data as Iterable<B>)[Symbol.iterator] !== "function")) {
    throw new TypeError("fit: data must be an iterable of batches (a DataLoader, an array) or a function returning one");
  }
  if (o.schedulerEvery !== undefined && o.schedulerEvery !== "step" && o.schedulerEvery !== "epoch") {
    throw new TypeError(`fit: schedulerEvery must be 'step' or 'epoch', got ${String(o.schedulerEvery)}`);
  }
}

export async function fit<B extends TrainBatch>(model: Module, o: FitOptions<B>): Promise<FitResult> {
  checkOptions(o);
  const t0 = performance.now();
  const params = o.optimizer.params;
  const counting = o.accuracy ?? o.loss === undefined;
  const step: StepOptions<B> = { forward: o.forward, loss: o.loss, countCorrect: counting };
  const yieldEvery = o.yieldEvery ?? 50;
  const copy = (p: Tensor) => noGrad(() => keep(p.clone()));
  const previous = o.stepTolerance !== undefined ? params.map(copy) : null;
  let best: Tensor[] | null = null;
  let bestLoss = Infinity,
    bestEpoch = 0,
    since = 0,
    steps = 0;
  let lastYield = performance.now();
  const result: FitResult = {
    epochs: 0,
    steps: 0,
    stoppedBy: "epochs",
    losses: [],
    accuracies: [],
    valLosses: [],
    testAccuracies: [],
    seconds: 0,
  };
  try {
    model.train();
    for (let epoch = 1; epoch <= o.epochs && result.stoppedBy === "epochs"; epoch++) {
      if (o.signal?.aborted) {
        result.stoppedBy = "signal";
        break;
      }
      result.epochs = epoch;
      const e0 = performance.now();
      const data = typeof o.data === "function" ? o.data() : o.data;
      const batches = "length" in data && typeof data.length === "number" ? data.length : undefined;
      let lossSum = 0,
        correct = 0,
        seen = 0,
        batch = 0;
      for (const b of data) {
        const r = trainStep(model, o.optimizer, b, step);
        steps++;
        if (o.scheduler && !(o.scheduler instanceof ReduceLROnPlateau) && o.schedulerEvery !== "epoch") o.scheduler.step();
        const size = b.size ?? b.x.shape[0];
        lossSum += r.loss * size;
        correct += r.correct;
        seen += size;
        batch++;
        o.onBatch?.({
          epoch,
          batch,
          batches,
          loss: r.loss,
          meanLoss: lossSum / seen,
          accuracy: counting ? correct / seen : undefined,
          seen,
          samplesPerSecond: (seen * 1000) / (performance.now() - e0),
          lr: o.optimizer.lr,
        });
        if (!Number.isFinite(r.loss)) {
          result.stoppedBy = "nonfinite";
          break;
        }
        if (o.gradTolerance !== undefined && Math.sqrt(squaredNorm(params.flatMap((p) => (p.grad ? [p.grad] : [])))) < o.gradTolerance) {
          result.stoppedBy = "gradient";
        }
        if (previous !== null) {
          const moved = Math.sqrt(squaredDistance(params, previous));
          noGrad(() => params.forEach((p, i) => previous[i].copy_(p)));
          if (moved < o.stepTolerance!) result.stoppedBy = "step";
        }
        if (o.signal?.aborted) result.stoppedBy = "signal";
        if (result.stoppedBy !== "epochs") break;
        if (performance.now() - lastYield > yieldEvery) {
          await yieldToEventLoop();
          lastYield = performance.now();
          if (o.signal?.aborted) {
            result.stoppedBy = "signal";
            break;
          }
        }
      }
      if (result.stoppedBy === "nonfinite") break;
      if (batch === 0) {
        throw new Error(
          `fit: epoch ${epoch} had no batches` +
            (epoch > 1
              ? " (an iterator or generator is used up after one epoch: pass a DataLoader, an array, or a function returning the epoch's batches)"
              : ""),
        );
      }
      const seconds = (performance.now() - e0) / 1000;
      if (o.scheduler && !(o.scheduler instanceof ReduceLROnPlateau) && o.schedulerEvery === "epoch") o.scheduler.step();
      const info: EpochInfo = { epoch, loss: seen ? lossSum / seen : NaN, seconds, samplesPerSecond: seen / seconds };
      if (counting) info.accuracy = seen ? correct / seen : 0;
      result.losses.push(info.loss);
      if (info.accuracy !== undefined) result.accuracies.push(info.accuracy);
      if (o.validate) {
        model.eval();
        info.valLoss = noGrad(() => tidy(() => o.validate!(model)));
        model.train();
        result.valLosses.push(info.valLoss);
        if (o.scheduler instanceof ReduceLROnPlateau) o.scheduler.step(info.valLoss);
        if (info.valLoss < bestLoss - (o.minDelta ?? 0)) {
          bestLoss = info.valLoss;
          bestEpoch = epoch;
          since = 0;
          if (o.patience !== undefined && o.restoreBest !== false) {
            best ??= params.map(copy);
            noGrad(() => params.forEach((p, i) => best![i].copy_(p)));
          }
        } else if (o.patience !== undefined && ++since >= o.patience && result.stoppedBy === "epochs") {
          result.stoppedBy = "validation";
        }
      }
      if (o.test) {
        info.test = evaluate(model, o.test);
        result.testAccuracies.push(info.test.accuracy);
      }
      await o.onEpoch?.(info);
      // the evaluations ran synchronously: let a signal that came meanwhile through before the next epoch
      await yieldToEventLoop();
      lastYield = performance.now();
      if (o.signal?.aborted && result.stoppedBy === "epochs") result.stoppedBy = "signal";
    }
    if (result.stoppedBy === "validation" && best !== null) noGrad(() => params.forEach((p, i) => p.copy_(best![i])));
  } finally {
    previous?.forEach((t) => t.dispose());
    best?.forEach((t) => t.dispose());
  }
  result.steps = steps;
  if (o.validate) result.bestEpoch = bestEpoch;
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
