// One training step, the one place it is written: clear the gradients, run
// the model, take the loss, backpropagate, update the parameters, all inside
// tidy() so nothing the step made outlives it. fit(), the CLI's bench and the
// benchmarks call this.
import type { Module } from "../nn/module.js";
import type { Optimizer } from "../optim/optimizer.js";
import type { Tensor } from "../tensor.js";
import { tidy } from "../tidy.js";
import { noGrad } from "../autograd/grad-mode.js";
import { crossEntropy } from "../ops/loss.js";

/** What a training batch holds: inputs, and (for the default loss) class labels. */
export interface TrainBatch {
  x: Tensor;
  y?: Int32Array | number[] | Tensor;
  /** Samples in the batch (default: x's first dim). */
  size?: number;
}

export interface StepOptions<B extends TrainBatch> {
  /** The model's output for a batch (default: model.forward(batch.x)). */
  forward?: (model: Module, batch: B) => Tensor;
  /** The loss of that output (default: crossEntropy(output, batch.y), for class labels). */
  loss?: (output: Tensor, batch: B) => Tensor;
  /** Count the samples whose arg-max over dim 1 of the output is their label. */
  countCorrect?: boolean;
}

export interface StepResult {
  loss: number;
  /** Correct predictions in the batch (0 unless countCorrect). */
  correct: number;
}

function defaultLoss(output: Tensor, batch: TrainBatch): Tensor {
  const y = batch.y;
  if (y === undefined || !(y instanceof Int32Array || Array.isArray(y))) {
    throw new TypeError("trainStep: the default loss (cross-entropy) needs batch.y as class indices (Int32Array or number[]); pass `loss`");
  }
  return crossEntropy(output, y);
}

/** One optimizer step on one batch; returns the batch's loss (before the update). */
export function trainStep<B extends TrainBatch>(model: Module, optimizer: Optimizer, batch: B, options: StepOptions<B> = {}): StepResult {
  return tidy(() => {
    optimizer.zeroGrad();
    const output = options.forward ? options.forward(model, batch) : model.forward(batch.x);
    const loss = options.loss ? options.loss(output, batch) : defaultLoss(output, batch);
    loss.backward();
    optimizer.step();
    return { loss: loss.item(), correct: options.countCorrect ? countCorrect(output, batch.y) : 0 };
  });
}

function countCorrect(output: Tensor, labels: TrainBatch["y"]): number {
  if (labels === undefined || !(labels instanceof Int32Array || Array.isArray(labels))) {
    throw new TypeError(
      "trainStep: counting correct predictions needs batch.y as class indices (Int32Array or number[]); turn accuracy off",
    );
  }
  const pred = noGrad(() => output.argmax(1).data());
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) correct++;
  return correct;
}
