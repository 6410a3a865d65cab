// fit(): epochs over batches with an optimizer, stopping by any of the three
// rules of classic gradient descent: the step is small (||w_t - w_{t-1}|| <
// eps), the gradient is small (||grad Q(w_t)|| < eps), or the validation loss
// stopped improving (early stopping with patience, restoring the best
// weights).
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";
import { keep, tidy } from "../memory.js";
import { noGrad } from "../autograd/grad-mode.js";

export interface FitOptions<B> {
  optimizer: Optimizer;
  /** The batches of one epoch (called once per epoch, so it may shuffle). */
  batches: () => Iterable<B>;
  /** The loss of one batch; fit() calls backward() on it. */
  loss: (model: Module, batch: B) => Tensor;
  epochs: number;
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
  onEpoch?: (info: { epoch: number; loss: number; valLoss?: number }) => void;
}

export type StopReason = "epochs" | "step" | "gradient" | "validation";

export interface FitResult {
  epochs: number;
  steps: number;
  stoppedBy: StopReason;
  losses: number[];
  valLosses: number[];
  bestEpoch?: number;
}

function norm2(params: Tensor[], of: (p: Tensor, i: number) => number): number {
  return Math.sqrt(params.reduce((s, p, i) => s + of(p, i), 0));
}

export function fit<B>(model: Module, o: FitOptions<B>): FitResult {
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new TypeError(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (o.patience !== undefined && !o.validate) throw new Error("fit: patience needs a validate function");
  const params = o.optimizer.params;
  const k = params[0]._backend.k;
  const previous = o.stepTolerance !== undefined ? params.map((p) => keep(p.clone().detach())) : null;
  let best: Tensor[] | null = null;
  let bestLoss = Infinity,
    bestEpoch = 0,
    since = 0,
    steps = 0;
  const result: FitResult = { epochs: 0, steps: 0, stoppedBy: "epochs", losses: [], valLosses: [] };
  try {
    model.train();
    epochs: for (let epoch = 1; epoch <= o.epochs; epoch++) {
      let sum = 0,
        count = 0;
      for (const batch of o.batches()) {
        const value = tidy(() => {
          o.optimizer.zeroGrad();
          const loss = o.loss(model, batch);
          loss.backward();
          return loss.item();
        });
        sum += value;
        count++;
        if (o.gradTolerance !== undefined) {
          const g = norm2(params, (p) => (p.grad ? k.sumSquares(p.grad._ptr, p.size) : 0));
          if (g < o.gradTolerance) {
            result.stoppedBy = "gradient";
            result.losses.push(sum / count);
            result.epochs = epoch;
            break epochs;
          }
        }
        o.optimizer.step();
        steps++;
        if (previous !== null) {
          const moved = norm2(params, (p, i) => k.sumSquaredDiff(p._ptr, previous[i]._ptr, p.size));
          noGrad(() => params.forEach((p, i) => previous[i].copy_(p)));
          if (moved < o.stepTolerance!) {
            result.stoppedBy = "step";
            result.losses.push(sum / count);
            result.epochs = epoch;
            break epochs;
          }
        }
      }
      result.epochs = epoch;
      result.losses.push(count ? sum / count : NaN);
      let valLoss: number | undefined;
      if (o.validate) {
        model.eval();
        valLoss = noGrad(() => tidy(() => o.validate!(model)));
        model.train();
        result.valLosses.push(valLoss);
        if (valLoss < bestLoss - (o.minDelta ?? 0)) {
          bestLoss = valLoss;
          bestEpoch = epoch;
          since = 0;
          if (o.patience !== undefined && o.restoreBest !== false) {
            best ??= params.map((p) => keep(p.clone().detach()));
            noGrad(() => params.forEach((p, i) => best![i].copy_(p)));
          }
        } else if (o.patience !== undefined && ++since >= o.patience) {
          result.stoppedBy = "validation";
          o.onEpoch?.({ epoch, loss: result.losses[result.losses.length - 1], valLoss });
          break;
        }
      }
      o.onEpoch?.({ epoch, loss: result.losses[result.losses.length - 1], valLoss });
    }
    if (result.stoppedBy === "validation" && best !== null) noGrad(() => params.forEach((p, i) => p.copy_(best![i])));
  } finally {
    previous?.forEach((t) => t.dispose());
    best?.forEach((t) => t.dispose());
  }
  result.steps = steps;
  if (o.validate) result.bestEpoch = bestEpoch;
  return result;
}
