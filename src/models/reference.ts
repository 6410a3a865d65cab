// The reference models of the design (benchmarks, the CLI and examples use
// exactly these), for 28x28 single-channel inputs and 10 classes.
import * as nn from "../nn/index.js";

export type ModelName = "mlp-s" | "mlp-l" | "lenet5" | "cnn-m";
export const MODEL_NAMES: ModelName[] = ["mlp-s", "mlp-l", "lenet5", "cnn-m"];

/** Whether the model takes images [N, 1, 28, 28] (else flat [N, 784]). */
export function takesImages(name: ModelName): boolean {
  return name === "lenet5" || name === "cnn-m";
}

export function referenceModel(name: ModelName): nn.Sequential {
  switch (name) {
    case "mlp-s":
      return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    case "mlp-l":
      return new nn.Sequential(new nn.Linear(784, 1000), new nn.ReLU(), new nn.Linear(1000, 500), new nn.ReLU(), new nn.Linear(500, 10));
    case "lenet5":
      return new nn.Sequential(
        new nn.Conv2d(1, 6, 5, { padding: 2 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(400, 120),
        new nn.ReLU(),
        new nn.Linear(120, 84),
        new nn.ReLU(),
        new nn.Linear(84, 10),
      );
    case "cnn-m":
      return new nn.Sequential(
        new nn.Conv2d(1, 32, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(32, 64, 3, { padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(3136, 128),
        new nn.ReLU(),
        new nn.Linear(128, 10),
      );
    default:
      throw new TypeError(`unknown model '${String(name)}' (expected one of ${MODEL_NAMES.join(", ")})`);
  }
}
