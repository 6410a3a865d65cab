// Train CNN-M on MNIST with fit(): progress every 100 batches and the test
// accuracy after each epoch. Uses the offline sample when no MNIST is found.
//   npm run example:train          (or, where wasmgrad is installed: node train-mnist.mjs)
import { init, getBackend, data, optim, fit, referenceModel } from "wasmgrad";

await init();
const { train, test } = await data.loadMnist();
const model = referenceModel("cnn-m");
const optimizer = new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const loader = new data.DataLoader(train, { batchSize: 64 });
const epochs = 1;
console.log(`cnn-m on ${getBackend()}: ${train.count} training images`);

await fit(model, {
  optimizer,
  epochs,
  data: loader,
  scheduler: new optim.CosineAnnealingLR(optimizer, epochs * loader.length),
  test: new data.DataLoader(test, { batchSize: 500, shuffle: false }),
  onBatch: (b) => {
    if (b.batch % 100 === 0)
      console.log(`  batch ${b.batch}/${b.batches}: loss ${b.meanLoss.toFixed(4)}, ${Math.round(b.samplesPerSecond)} samples/s`);
  },
  onEpoch: (e) => console.log(`epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}, test accuracy ${(100 * e.test.accuracy).toFixed(2)}%`),
});
