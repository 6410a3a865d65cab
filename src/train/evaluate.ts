// Classification accuracy and the confusion matrix of a model over a loader.
import type { Module } from "../nn/module.js";
import type { DataLoader } from "../data/loader.js";
import { noGrad } from "../autograd/grad-mode.js";
import { tidy } from "../tidy.js";

export interface Evaluation {
  accuracy: number;
  correct: number;
  count: number;
  /** confusion[true][predicted] */
  confusion: number[][];
}

export function evaluate(model: Module, loader: DataLoader, classes = 10): Evaluation {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0,
    count = 0;
  const wasTraining = model.training;
  model.eval();
  try {
    for (const { x, y, size } of loader) {
      const pred = tidy(() => noGrad(() => model.forward(x).argmax(1).data()));
      for (let i = 0; i < size; i++) {
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
