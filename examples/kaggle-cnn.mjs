// The single CNN of Chris Deotte's Kaggle notebook "25 Million Images!
// [0.99757] MNIST" with wasmgrad: blocks of convolution, ReLU and batch
// normalisation, 5x5 stride-2 convolutions in place of pooling (padding 2),
// dropout 0.4; Adam (lr 1e-3) times 0.95 after every epoch, batches of 64,
// pixels scaled to [0, 1], no augmentation.
//   node examples/kaggle-cnn.mjs [--epochs 35] [--limit N] [--threads N] [--json]
import { nn, optim } from "wasmgrad";
import { mnist, options, run } from "./lib/mnist-run.mjs";

/** Conv2d, ReLU, BatchNorm2d: the notebook's Conv2D(activation='relu') then BatchNormalization(). */
const block = (inC, outC, k, convOptions = {}) => [new nn.Conv2d(inC, outC, k, convOptions), new nn.ReLU(), new nn.BatchNorm2d(outC)];

const o = options({ epochs: 35 });
const loaders = await mnist(o, { batchSize: 64, mean: 0, std: 1 });
const model = new nn.Sequential(
  ...block(1, 32, 3),
  ...block(32, 32, 3),
  ...block(32, 32, 5, { stride: 2, padding: 2 }),
  new nn.Dropout(0.4),
  ...block(32, 64, 3),
  ...block(64, 64, 3),
  ...block(64, 64, 5, { stride: 2, padding: 2 }),
  new nn.Dropout(0.4),
  ...block(64, 128, 4),
  new nn.Flatten(),
  new nn.Dropout(0.4),
  new nn.Linear(128, 10),
);

const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
await run("kaggle-cnn", model, o, loaders, { optimizer, scheduler: new optim.ExponentialLR(optimizer, 0.95), schedulerEvery: "epoch" });
