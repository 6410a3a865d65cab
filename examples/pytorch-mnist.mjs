// pytorch/examples' mnist/main.py, as a PyTorch user writes it with wasmgrad:
// two convolutions, max pooling, dropout, two linear layers, log-softmax
// with the negative log-likelihood loss; Adadelta (lr 1.0) with the learning
// rate times 0.7 after every epoch (StepLR), batches of 64, 14 epochs.
//   node examples/pytorch-mnist.mjs [--epochs 14] [--limit N] [--threads N] [--json]
import { nn, optim } from "wasmgrad";
import { mnist, options, run } from "./lib/mnist-run.mjs";

const F = nn.functional;

class Net extends nn.Module {
  constructor() {
    super();
    this.conv1 = this.registerModule("conv1", new nn.Conv2d(1, 32, 3));
    this.conv2 = this.registerModule("conv2", new nn.Conv2d(32, 64, 3));
    this.dropout1 = this.registerModule("dropout1", new nn.Dropout(0.25));
    this.dropout2 = this.registerModule("dropout2", new nn.Dropout(0.5));
    this.fc1 = this.registerModule("fc1", new nn.Linear(9216, 128));
    this.fc2 = this.registerModule("fc2", new nn.Linear(128, 10));
  }

  forward(x) {
    x = this.conv1.forward(x).relu();
    x = this.conv2.forward(x).relu();
    x = F.maxPool2d(x, 2);
    x = this.dropout1.forward(x);
    x = x.flatten(1);
    x = this.fc1.forward(x).relu();
    x = this.dropout2.forward(x);
    x = this.fc2.forward(x);
    return x.logSoftmax(1);
  }
}

const o = options({ epochs: 14 });
const loaders = await mnist(o, { batchSize: 64, mean: 0.1307, std: 0.3081 });
const model = new Net();
const optimizer = new optim.Adadelta(model.parameters(), { lr: 1.0 });
await run("pytorch-mnist", model, o, loaders, {
  optimizer,
  scheduler: new optim.StepLR(optimizer, 1, 0.7),
  schedulerEvery: "epoch",
  loss: (output, batch) => F.nllLoss(output, batch.y),
});
