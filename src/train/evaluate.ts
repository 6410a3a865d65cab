// Classification accuracy and the confusion matrix of a model over a loader.
import type { Module } from "../nn/module.js";
import type { Batch } from "../data/loader.js";
import { noGrad } from "../autograd/grad-mode.js";
import { tidy } from "../tidy.js";

export interface Evaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** confusion[true][predicted] */
  confusion: number[][];
}

/** Accuracy and confusion matrix over batches with class labels (a DataLoader); `classes` defaults to the model's output width. */
export function evaluate(model: Module, loader: Iterable<Batch>, classes?: number): Evaluation {
  let confusion: number[][] = [];
  let correct = 0,
    count = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (const { x, y, size } of loader) {
      const [pred, width] = tidy(() =>
        noGrad(() => {
          const out = model.forward(x);
          return [out.argmax(1).data(), out.shape[1]] as const;
        }),
      );
      if (confusion.length === 0) {
        const n = classes ?? width;
        confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      }
      for (let i = 0; i < size; i++) {
        if (y[i] >= confusion.length || y[i] < 0 || pred[i] >= confusion.length) {
          throw new Error(`evaluate: label ${y[i]} or prediction ${pred[i]} is out of range for ${confusion.length} classes`);
        }
        confusion[y[i]][pred[i]]++;
        if (pred[i] === y[i]) correct++;
      }
      count += size;
    }
  } finally {
    model.train(wasTraining);
  }
  return { accuracy: count ? correct / count : 0, correct, count, confusion };
}
