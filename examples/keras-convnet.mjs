// keras-io's examples/vision/mnist_convnet.py with wasmgrad: two
// convolution + max-pooling blocks, dropout 0.5 and a dense layer on pixels
// scaled to [0, 1]; Adam (lr 1e-3), batches of 128, 15 epochs.
//   node examples/keras-convnet.mjs [--epochs 15] [--limit N] [--threads N] [--json]
import { nn, optim } from "wasmgrad";
import { mnist, options, run } from "./lib/mnist-run.mjs";

const o = options({ epochs: 15 });
const loaders = await mnist(o, { batchSize: 128, mean: 0, std: 1 });
const model = new nn.Sequential(
  new nn.Conv2d(1, 32, 3),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Conv2d(32, 64, 3),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Dropout(0.5),
  new nn.Linear(64 * 5 * 5, 10),
);

await run("keras-convnet", model, o, loaders, { optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }) });
