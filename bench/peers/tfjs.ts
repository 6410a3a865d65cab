// TensorFlow.js 4.22 as contenders: tfjs-backend-wasm (XNNPACK, one thread,
// as it runs in Node) and tfjs-backend-cpu, on every workload it has kernels
// for. NHWC, its native layout; models as tf.layers with the same shapes.
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { bench, takesImages, type ModelName } from "../../src/index.js";

type Workload = bench.Workload;
type Prepared = bench.Prepared;

/** A reference model as tf.layers, NHWC (TensorFlow.js's layout), with the same layers. */
export function tfLayersModel(name: string) {
  const L = tf.layers;
  const dense = (units: number, activation?: "relu") => L.dense({ units, activation });
  switch (name) {
    case "mlp-s":
      return tf.sequential({ layers: [L.dense({ units: 128, activation: "relu", inputShape: [784] }), dense(10)] });
    case "mlp-l":
      return tf.sequential({ layers: [L.dense({ units: 1000, activation: "relu", inputShape: [784] }), dense(500, "relu"), dense(10)] });
    case "lenet5":
      return tf.sequential({
        layers: [
          L.conv2d({ filters: 6, kernelSize: 5, padding: "same", activation: "relu", inputShape: [28, 28, 1] }),
          L.maxPooling2d({ poolSize: 2 }),
          L.conv2d({ filters: 16, kernelSize: 5, activation: "relu" }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(),
          dense(120, "relu"),
          dense(84, "relu"),
          dense(10),
        ],
      });
    case "cnn-m":
      return tf.sequential({
        layers: [
          L.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu", inputShape: [28, 28, 1] }),
          L.maxPooling2d({ poolSize: 2 }),
          L.conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(),
          dense(128, "relu"),
          dense(10),
        ],
      });
  }
  throw new Error(`no tf.layers twin of ${name}`);
}

/** The workloads' labels, one-hot. */
const oneHot = (rows: number, classes: number) => tf.oneHot(tf.tensor1d(bench.targets(rows, classes), "int32"), classes);

function prepare(w: Workload): Prepared {
  const s = w.spec;
  const owned: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T) => (owned.push(t), t);
  const done = () => tf.dispose(owned);
  switch (s.kind) {
    case "gemm": {
      const a = keep(tf.randomNormal(s.tA ? [s.K, s.M] : [s.M, s.K])) as tf.Tensor2D;
      const b = keep(tf.randomNormal(s.tB ? [s.N, s.K] : [s.K, s.N])) as tf.Tensor2D;
      return { run: () => tf.matMul(a, b, s.tA, s.tB).dispose(), dispose: done };
    }
    case "conv2d": {
      const [n, c, h, wd] = s.input;
      const x = keep(tf.randomNormal([n, h, wd, c])) as tf.Tensor4D;
      const f = keep(tf.randomNormal([s.k, s.k, c, s.out])) as tf.Tensor4D;
      const bias = keep(tf.randomNormal([s.out]));
      const pad: [number, number][] = [
        [0, 0],
        [s.pad, s.pad],
        [s.pad, s.pad],
        [0, 0],
      ];
      const fwd = (xi: tf.Tensor4D, fi: tf.Tensor4D) => tf.add(tf.conv2d(xi, fi, 1, s.pad ? (pad as unknown as "valid") : "valid"), bias);
      if (!s.backward) return { run: () => tf.tidy(() => fwd(x, f)).dispose(), dispose: done };
      const grads = tf.grads((xi: tf.Tensor, fi: tf.Tensor) => tf.sum(fwd(xi as tf.Tensor4D, fi as tf.Tensor4D)) as tf.Scalar);
      return { run: () => tf.tidy(() => grads([x, f]).forEach((g) => g.dataSync())), dispose: done };
    }
    case "maxpool": {
      const [n, c, h, wd] = s.input;
      const x = keep(tf.randomNormal([n, h, wd, c])) as tf.Tensor4D;
      return { run: () => tf.maxPool(x, s.k, s.k, "valid").dispose(), dispose: done };
    }
    case "softmax-ce": {
      const logits = keep(tf.randomNormal([s.rows, s.classes]));
      const y = keep(oneHot(s.rows, s.classes));
      const grad = tf.grad((l: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, l) as tf.Scalar);
      return { run: () => tf.tidy(() => grad(logits).dataSync()), dispose: done };
    }
    case "sgd": {
      const v = tf.variable(tf.randomNormal([s.params]));
      const g = keep(tf.randomNormal([s.params]));
      const opt = tf.train.momentum(1e-3, 0.9);
      return { run: () => opt.applyGradients([{ name: v.name, tensor: g }]), dispose: () => (done(), v.dispose(), opt.dispose()) };
    }
    case "add":
    case "relu": {
      const a = keep(tf.randomNormal([s.n])),
        b = keep(tf.randomNormal([s.n]));
      return { run: () => (s.kind === "add" ? tf.add(a, b) : tf.relu(a)).dataSync(), dispose: done };
    }
    case "train":
    case "infer": {
      const m = tfLayersModel(s.model);
      const x = keep(tf.randomNormal(takesImages(s.model as ModelName) ? [s.batch, 28, 28, 1] : [s.batch, 784]));
      const dispose = () => (done(), m.dispose());
      if (s.kind === "infer") return { run: () => tf.tidy(() => (m.predict(x) as tf.Tensor).dataSync()), dispose };
      const y = keep(oneHot(s.batch, 10));
      const opt = tf.train.momentum(0.01, 0.9);
      const step = () =>
        tf.tidy(() => {
          opt.minimize(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        });
      return { run: step, dispose: () => (dispose(), opt.dispose()) };
    }
  }
}

/**
 * tfjs-wasm and tfjs-cpu. With `quick`, the CPU backend leaves out the
 * convolutional models' training and batch-1,000 inference (one call takes
 * from seconds to a minute).
 */
export function tfjsContenders(quick: boolean): bench.Contender[] {
  const make = (name: "tfjs-wasm" | "tfjs-cpu"): bench.Contender => ({
    name,
    kind: "peer",
    threads: 1,
    info: `TensorFlow.js ${tf.version_core}, ${name === "tfjs-wasm" ? "tfjs-backend-wasm (XNNPACK), one thread" : "tfjs-backend-cpu"}; NHWC, tf.layers`,
    async start() {
      if (name === "tfjs-wasm") setThreadsCount(1);
      if (!(await tf.setBackend(name === "tfjs-wasm" ? "wasm" : "cpu"))) throw new Error(`TensorFlow.js backend ${name} did not start`);
      await tf.ready();
    },
    async prepare(w) {
      const s = w.spec;
      if (
        quick &&
        name === "tfjs-cpu" &&
        (s.kind === "train" || (s.kind === "infer" && s.batch > 1)) &&
        takesImages(s.model as ModelName)
      ) {
        return "left out of --quick (one call takes seconds to a minute)";
      }
      return prepare(w); // a missing kernel throws on the first timed call, which the runner reports
    },
  });
  return [make("tfjs-wasm"), make("tfjs-cpu")];
}
