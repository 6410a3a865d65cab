// The reference models of the design (benchmarks, the CLI and examples use
// exactly these), for 28x28 single-channel inputs and 10 classes; and the
// models of recipes (the CLI trains them, eval rebuilds them from a file).
import * as nn from "../nn/index.js";
import type { Tensor } from "../tensor.js";

export type ModelName = "mlp-s" | "mlp-l" | "lenet5" | "cnn-m" | "mlp-ciresan";
/** The four reference models every benchmark times. */
export const MODEL_NAMES: ModelName[] = ["mlp-s", "mlp-l", "lenet5", "cnn-m"];
/** Every model the CLI trains and evaluates by name: the reference models and the recipes'. */
export const ALL_MODEL_NAMES: ModelName[] = [...MODEL_NAMES, "mlp-ciresan"];

/** LeCun's scaled hyperbolic tangent, 1.7159 tanh(0.6666 x), as Ciresan et al. (2010) use it. */
export class ScaledTanh extends nn.Module {
  forward(x: Tensor): Tensor {
    return x.mul(0.6666).tanh().mul(1.7159);
  }
}

/** Ciresan et al. 2010, Table 1 row 1: 784-1000-500-10, scaled tanh, weights and biases uniform in [-0.05, 0.05]. */
function mlpCiresan(): nn.Sequential {
  const m = new nn.Sequential(
    new nn.Linear(784, 1000),
    new ScaledTanh(),
    new nn.Linear(1000, 500),
    new ScaledTanh(),
    new nn.Linear(500, 10),
  );
  for (const p of m.parameters()) nn.init.uniform_(p, -0.05, 0.05);
  return m;
}

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
    case "mlp-ciresan":
      return mlpCiresan();
    default:
      throw new TypeError(`unknown model '${String(name)}' (expected one of ${ALL_MODEL_NAMES.join(", ")})`);
  }
}
