// Data: IDX files (round trips, corrupt files), the real datasets (when the
// tests find them, see helpers/datasets.ts), the search order, downloads from
// a local mirror, the offline sample, and the DataLoader with augmentation.
import { createServer, type Server } from "node:http";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { data, init, manualSeed, memory } from "../src/index.js";
import { BACKENDS, use } from "./helpers/backends.js";
import { datasetDir, NEEDS_NO_SYSTEM_MNIST, needDataset, SYSTEM_HAS_MNIST } from "./helpers/datasets.js";
import { tempDir } from "./helpers/temp.js";

const scratch = tempDir("wasmgrad-data-");
const tmp = () => mkdtempSync(join(scratch, "case-"));

/** Full MNIST when the tests find it, else the offline sample (the tests below hold on both). */
async function someMnist(): Promise<data.MnistData> {
  const dir = datasetDir("mnist");
  return data.loadMnist(dir ? { dir, log: quiet } : { download: false, cacheDir: tmp(), log: quiet });
}
const quiet = () => {};

/** A small dataset whose image i carries i in its first two pixels. */
function synthetic(count: number): data.ImageDataset {
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images[i * 784] = i >> 8;
    images[i * 784 + 1] = i & 255;
    for (let k = 2; k < 784; k++) images[i * 784 + k] = (i * 7 + k) % 256;
    labels[i] = i % 10;
  }
  return { images, labels, count, rows: 28, cols: 28 };
}

describe("IDX files", () => {
  it("round-trip, raw and gzipped", async () => {
    const bytes = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 5);
    const raw = data.encodeIdx(bytes, [2, 3, 4]);
    expect(raw.length).toBe(4 + 12 + 24);
    expect(Array.from(raw.subarray(0, 8))).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
    for (const file of [raw, new Uint8Array(gzipSync(raw))]) {
      const r = await data.readIdx(file, "x.idx");
      expect(r.shape).toEqual([2, 3, 4]);
      expect(Array.from(r.data)).toEqual(Array.from(bytes));
    }
  });

  it("refuses corrupt, truncated and foreign files, naming the file", async () => {
    const good = data.encodeIdx(new Uint8Array(12), [3, 4]);
    const bad = (b: Uint8Array) => data.readIdx(b, "labels.idx");
    await expect(bad(good.subarray(0, good.length - 1))).rejects.toThrow("labels.idx: truncated: 23 bytes, but its header [3x4] needs 24");
    await expect(bad(Uint8Array.of(...good, 0))).rejects.toThrow(/labels.idx: has trailing bytes/);
    await expect(bad(Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0))).rejects.toThrow(/labels.idx: not an IDX file \(magic starts 50 4b/);
    await expect(bad(Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0))).rejects.toThrow(/IDX type float is not supported/);
    await expect(bad(Uint8Array.of(0, 0, 8, 9))).rejects.toThrow(/9 dims/);
    await expect(bad(Uint8Array.of(0, 0, 8))).rejects.toThrow(/too short/);
    const gz = new Uint8Array(gzipSync(good));
    await expect(bad(gz.subarray(0, gz.length - 6))).rejects.toThrow(/labels.idx: corrupt gzip data/);
  });
});

describe("MNIST-family datasets", () => {
  it("loads the real MNIST", async (ctx) => {
    const d = await data.loadMnist({ dir: needDataset(ctx, "mnist"), log: quiet });
    expect([d.train.count, d.test.count, d.train.rows, d.train.cols]).toEqual([60000, 10000, 28, 28]);
    expect(d.sample).toBe(false);
    // the well-known first "5": row 5 of train image 0
    expect(Array.from(d.train.images.subarray(5 * 28 + 12, 5 * 28 + 24))).toEqual([3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127]);
    expect(d.train.labels[0]).toBe(5);
    const counts = new Array(10).fill(0);
    for (const l of d.test.labels) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("finds Fashion-MNIST through $WASMGRAD_DATA", async (ctx) => {
    const fashion = needDataset(ctx, "fashion-mnist");
    const prev = process.env.WASMGRAD_DATA;
    process.env.WASMGRAD_DATA = dirname(fashion);
    try {
      const d = await data.loadMnist({ name: "fashion-mnist", cacheDir: tmp(), download: false, log: quiet });
      expect([d.train.count, d.test.count]).toEqual([60000, 10000]);
      expect(d.source).toBe(fashion);
      expect(await data.findMnist({ name: "fashion-mnist", cacheDir: tmp() })).toBe(fashion);
    } finally {
      if (prev === undefined) delete process.env.WASMGRAD_DATA;
      else process.env.WASMGRAD_DATA = prev;
    }
  });

  it("names the file when a dataset file is truncated, foreign or corrupt", async () => {
    const { writeFileSync } = await import("node:fs");
    const images = data.encodeIdx(new Uint8Array(3 * 784), [3, 28, 28]),
      labels = data.encodeIdx(Uint8Array.of(1, 2, 3), [3]);
    const write = (dir: string, files: Record<string, Uint8Array>) => {
      for (const [n, b] of Object.entries(files)) writeFileSync(join(dir, n), b);
      return dir;
    };
    const ok = {
      "train-images-idx3-ubyte.gz": new Uint8Array(gzipSync(images)),
      "train-labels-idx1-ubyte": labels,
      "t10k-images-idx3-ubyte": images,
      "t10k-labels-idx1-ubyte.gz": new Uint8Array(gzipSync(labels)),
    };
    const good = await data.loadMnist({ dir: write(tmp(), ok), log: quiet });
    expect([good.train.count, good.test.count, good.test.labels[2]]).toEqual([3, 3, 3]);
    const cut = write(tmp(), { ...ok, "t10k-images-idx3-ubyte": images.subarray(0, 1000) });
    await expect(data.loadMnist({ dir: cut })).rejects.toThrow(
      new RegExp(`${cut}/t10k-images-idx3-ubyte: truncated: 1000 bytes, but its header \\[3x28x28\\] needs 2368`),
    );
    const long = write(tmp(), { ...ok, "train-labels-idx1-ubyte": Uint8Array.of(...labels, 9) });
    await expect(data.loadMnist({ dir: long })).rejects.toThrow(/train-labels-idx1-ubyte: has trailing bytes/);
    const png = write(tmp(), { ...ok, "t10k-images-idx3-ubyte": Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0) });
    await expect(data.loadMnist({ dir: png })).rejects.toThrow(/t10k-images-idx3-ubyte: not an IDX file/);
    const gz = ok["train-images-idx3-ubyte.gz"];
    const broken = write(tmp(), { ...ok, "train-images-idx3-ubyte.gz": gz.subarray(0, gz.length - 20) });
    await expect(data.loadMnist({ dir: broken })).rejects.toThrow(/train-images-idx3-ubyte.gz: (corrupt gzip data|truncated)/);
    const mismatch = write(tmp(), { ...ok, "train-labels-idx1-ubyte": data.encodeIdx(Uint8Array.of(1, 2), [2]) });
    await expect(data.loadMnist({ dir: mismatch })).rejects.toThrow(/3 images but 2 labels/);
  });

  it("says where to put the files when there are none", async () => {
    await expect(data.loadMnist({ dir: tmp() })).rejects.toThrow(/does not hold the four mnist files/);
    const cache = tmp();
    await expect(data.loadMnist({ name: "kmnist", cacheDir: cache, download: false, log: quiet })).rejects.toThrow(
      new RegExp(`no kmnist files found .*\\n.*Put the four files .* in ${cache}/kmnist, or set WASMGRAD_DATA`),
    );
  });

  describe("downloads", () => {
    let server: Server;
    let base = "";
    const files: Record<string, Uint8Array> = {};
    const md5: Record<string, string> = {};
    let requests = 0;
    beforeAll(async () => {
      const imgs = data.encodeIdx(new Uint8Array(5 * 784).fill(9), [5, 28, 28]);
      const lbls = data.encodeIdx(Uint8Array.of(0, 1, 2, 3, 4), [5]);
      for (const [i, name] of data.FILES.entries()) {
        const raw = i % 2 === 0 ? imgs : lbls; // images, labels, images, labels
        files[`/good/${name}.gz`] = new Uint8Array(gzipSync(raw));
        md5[name] = createHash("md5").update(files[`/good/${name}.gz`]).digest("hex");
      }
      server = createServer((req, res) => {
        requests++;
        const body = files[req.url ?? ""];
        if (!body) return void res.writeHead(404).end();
        res.writeHead(200).end(body);
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const a = server.address();
      base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
    });
    afterAll(() => server.close());

    it("downloads into the cache, checking checksums, from the first mirror that has the files", async () => {
      const cache = tmp();
      const d = await data.loadMnist({ name: "kmnist", cacheDir: cache, mirrors: [`${base}/missing/`, `${base}/good/`], md5, log: quiet });
      expect([d.train.count, d.test.count]).toEqual([5, 5]);
      expect(d.source).toBe(join(cache, "kmnist"));
      expect(readdirSync(join(cache, "kmnist")).sort()).toEqual(
        Object.keys(md5)
          .map((n) => `${n}.gz`)
          .sort(),
      );
    });

    it("does not download when WASMGRAD_OFFLINE is set", async () => {
      const cache = tmp();
      const before = requests;
      process.env.WASMGRAD_OFFLINE = "1";
      try {
        await expect(data.loadMnist({ name: "kmnist", cacheDir: cache, mirrors: [`${base}/good/`], md5, log: quiet })).rejects.toThrow(
          /no kmnist files found .* and downloads are off \(WASMGRAD_OFFLINE is set\)/,
        );
        expect(requests).toBe(before);
        // an explicit download: true still downloads
        const d = await data.loadMnist({ name: "kmnist", cacheDir: cache, mirrors: [`${base}/good/`], md5, download: true, log: quiet });
        expect(d.train.count).toBe(5);
      } finally {
        delete process.env.WASMGRAD_OFFLINE;
      }
    });

    it("rejects a file whose checksum differs, and leaves nothing behind", async () => {
      const cache = tmp();
      await expect(
        data.loadMnist({
          name: "kmnist",
          cacheDir: cache,
          mirrors: [`${base}/good/`],
          md5: { ...md5, "t10k-images-idx3-ubyte": "0".repeat(32) },
          log: quiet,
        }),
      ).rejects.toThrow(/t10k-images-idx3-ubyte.gz:\n.*checksum mismatch/);
      expect(existsSync(join(cache, "kmnist", "t10k-images-idx3-ubyte.gz"))).toBe(false);
      expect(readdirSync(join(cache, "kmnist")).filter((f) => f.endsWith(".part"))).toEqual([]);
    });
  });

  it("falls back to the real offline sample, and says so, when there are no files and no network", async (ctx) => {
    if (SYSTEM_HAS_MNIST) ctx.skip(NEEDS_NO_SYSTEM_MNIST);
    const messages: string[] = [];
    const prev = process.env.WASMGRAD_DATA;
    delete process.env.WASMGRAD_DATA;
    try {
      const cache = tmp();
      const d = await data.loadMnist({ cacheDir: cache, mirrors: ["http://127.0.0.1:1/"], log: (m) => messages.push(m) });
      expect(d.sample).toBe(true);
      expect(d.train.count + d.test.count).toBe(10000);
      expect(d.train.count).toBe(8000);
      expect(d.source).toMatch(/sample\/mnist.*\(the offline sample shipped with wasmgrad\)/);
      expect(messages.join("\n")).toMatch(
        /the download failed: .*127\.0\.0\.1:1.*offline sample.*10,000 real MNIST digits shipped with wasmgrad.*not the full 70,000/s,
      );
      expect(messages.join("\n")).toMatch(new RegExp(`Put the four files .* in ${cache}/mnist`));
      // every class, in a mixed order: the first 1,000 images hold each class 70+ times
      for (const set of [d.train, d.test]) {
        const counts = new Array(10).fill(0);
        for (const l of set.labels.subarray(0, 1000)) counts[l]++;
        expect(Math.min(...counts)).toBeGreaterThan(70);
      }
      // the pixels are real digits: ink on a dark background, about 19% of pixels lit as in MNIST
      const lit = d.test.images.reduce((n, v) => n + (v > 0 ? 1 : 0), 0) / d.test.images.length;
      expect(lit).toBeGreaterThan(0.15);
      expect(lit).toBeLessThan(0.25);
      expect(existsSync(join(cache, "mnist"))).toBe(false); // nothing written, not even a folder: the sample is read where it ships
      await expect(data.loadMnist({ cacheDir: cache, mirrors: ["http://127.0.0.1:1/"], sample: false, log: quiet })).rejects.toThrow(
        /no mnist files found/,
      );
    } finally {
      if (prev !== undefined) process.env.WASMGRAD_DATA = prev;
    }
  });
});

describe.each(BACKENDS)("DataLoader on $name", (backend) => {
  beforeAll(() => use(backend));

  const decode = (x: Float32Array, i: number) =>
    Math.round((x[i * 784] * 0.3081 + 0.1307) * 255) * 256 + Math.round((x[i * 784 + 1] * 0.3081 + 0.1307) * 255) + 0;

  it("covers every sample once per epoch, in a new order each epoch, repeatably per seed", () => {
    const ds = synthetic(1000);
    const epoch = (loader: data.DataLoader) => {
      const seen: number[] = [];
      for (const { x, y, size } of loader) {
        const v = x.data();
        for (let i = 0; i < size; i++) {
          const id = decode(v, i);
          expect(y[i]).toBe(id % 10);
          seen.push(id);
        }
      }
      return seen;
    };
    manualSeed(3);
    const a = new data.DataLoader(ds, { batchSize: 64 });
    const e1 = epoch(a),
      e2 = epoch(a);
    expect(a.length).toBe(16);
    for (const e of [e1, e2]) expect([...e].sort((p, q) => p - q)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(e1).not.toEqual(e2);
    manualSeed(3);
    const b = new data.DataLoader(ds, { batchSize: 64 });
    expect(epoch(b)).toEqual(e1);
    const ordered = epoch(new data.DataLoader(ds, { batchSize: 64, shuffle: false }));
    expect(ordered).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const l of [a, b]) l.dispose();
  });

  it("reuses its batch tensors and keeps memory flat", () => {
    const loader = new data.DataLoader(synthetic(300), { batchSize: 64, flat: true });
    const first = [...loader].map((b) => b.x);
    expect(first[0].shape).toEqual([64, 784]);
    expect(first[4].shape).toEqual([44, 784]);
    const m = memory();
    for (let i = 0; i < 5; i++) for (const b of loader) expect(b.x === first[0] || b.x === first[4]).toBe(true);
    expect(memory()).toEqual(m);
    expect([...new data.DataLoader(synthetic(300), { batchSize: 64, dropLast: true })].length).toBe(4);
    loader.dispose();
  });

  it("augments without losing labels or wrecking the images", async () => {
    const d = await someMnist();
    const ds = data.subset(d.test, 512);
    manualSeed(1);
    const plain = new data.DataLoader(ds, { batchSize: 128, shuffle: false });
    const aug = new data.DataLoader(ds, { batchSize: 128, shuffle: false, augment: true });
    const lo = -0.1307 / 0.3081,
      hi = (1 - 0.1307) / 0.3081;
    const stats = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
    const plainBatches: { x: Float32Array; y: number[] }[] = [];
    for (const b of plain) plainBatches.push({ x: b.x.data(), y: Array.from(b.y) }); // copy: batches reuse their tensors
    let k = 0;
    for (const b of aug) {
      const v = b.x.data(),
        p = plainBatches[k++];
      expect(Array.from(b.y)).toEqual(p.y); // labels follow their images
      expect(v.every((x) => Number.isFinite(x) && x >= lo - 1e-4 && x <= hi + 1e-4)).toBe(true);
      expect(Math.abs(stats(v) - stats(p.x))).toBeLessThan(0.15 * Math.abs(stats(p.x) - lo) + 0.05);
      let diff = 0;
      for (let i = 0; i < v.length; i++) diff += Math.abs(v[i] - p.x[i]);
      expect(diff / v.length).toBeGreaterThan(0.05); // it did change the pixels
    }
    // a pure shift moves the ink's centre of mass by at most the shift
    const shiftOnly = new data.DataLoader(ds, {
      batchSize: 128,
      shuffle: false,
      augment: { rotate: 0, scale: 0, shear: 0, elastic: false, shift: 3 },
    });
    let s = new Float32Array(0);
    for (const b of shiftOnly) {
      s = b.x.data();
      break;
    }
    const p0 = plainBatches[0].x;
    const com = (v: Float32Array, i: number) => {
      let m = 0,
        cx = 0,
        cy = 0;
      for (let q = 0; q < 784; q++) {
        const w = v[i * 784 + q] - lo;
        m += w;
        cx += w * (q % 28);
        cy += w * Math.floor(q / 28);
      }
      return [cx / m, cy / m];
    };
    for (let i = 0; i < 20; i++) {
      const [ax, ay] = com(s, i),
        [bx, by] = com(p0, i);
      expect(Math.abs(ax - bx)).toBeLessThanOrEqual(3.01);
      expect(Math.abs(ay - by)).toBeLessThanOrEqual(3.01);
    }
    for (const l of [plain, aug, shiftOnly]) l.dispose();
  });

  it("takes other deformation limits for the classes named (Ciresan's 1s and 7s)", async () => {
    await init({ backend: "wasm" });
    const d = await someMnist();
    const ds = data.subset(d.test, 64);
    const still = { rotate: 0, shear: 0 };
    const first = (augment: data.AugmentOptions | false) => {
      const loader = new data.DataLoader(ds, { batchSize: 64, shuffle: false, augment });
      const [b] = loader;
      const out = { x: b.x.data(), y: Array.from(b.y) };
      loader.dispose();
      return out;
    };
    const plain = first(false);
    const turned = first({ shift: 0, scale: 0, shear: 0, rotate: 30, elastic: false, classes: { 1: still, 7: still } });
    plain.y.forEach((label, i) => {
      const a = plain.x.subarray(i * 784, (i + 1) * 784),
        b = turned.x.subarray(i * 784, (i + 1) * 784);
      const moved = a.some((v, k) => Math.abs(v - b[k]) > 1e-4);
      expect([label, moved]).toEqual([label, label !== 1 && label !== 7]);
    });
  });

  it("augments a batch to the same bits on 1, 2 and 3 threads, and as the js twin does to float rounding", async () => {
    const d = await someMnist();
    const ds = data.subset(d.test, 37); // an odd batch: uneven runs of images per thread
    const batch = async (options: Parameters<typeof init>[0]) => {
      await init(options);
      manualSeed(4);
      const loader = new data.DataLoader(ds, { batchSize: 37, augment: { elastic: { alpha: 34, sigma: 6 } } });
      const [b] = loader;
      const out = { x: b.x.data(), y: Array.from(b.y) };
      loader.dispose();
      return out;
    };
    const one = await batch({ build: "simd", threads: 1 });
    for (const threads of [2, 3]) expect(await batch({ build: "simd", threads })).toEqual(one);
    expect(await batch({ build: "relaxed-simd", threads: 2 })).toEqual(one); // the kernel has no fused multiply-add
    const js = await batch({ backend: "js" });
    expect(js.y).toEqual(one.y);
    let worst = 0;
    for (let i = 0; i < js.x.length; i++) worst = Math.max(worst, Math.abs(js.x[i] - one.x[i]) / (1 + Math.abs(one.x[i])));
    expect(worst).toBeLessThan(1e-4);
    await init({ backend: "wasm" });
    expect(() => new data.DataLoader(ds, { augment: { elastic: { alpha: 34, sigma: 11 } } })).toThrow(
      /DataLoader: augment.elastic needs sigma in \(0, 10\] and a finite alpha/,
    );
  });

  it("augments images of any size as the js twin does, far-out samples included (the kernel's vector paths and their edges)", async () => {
    // widths below 16, not a multiple of 4, and wide ones; shifts and scales that sample far outside the image
    for (const [rows, cols] of [
      [3, 5],
      [10, 13],
      [19, 30],
      [8, 16],
      [40, 17],
    ]) {
      const count = 7,
        P = rows * cols;
      const images = Uint8Array.from({ length: count * P }, (_, k) => (k * 37 + (k >> 3)) % 256);
      const ds: data.ImageDataset = { images, labels: Uint8Array.from({ length: count }, (_, i) => i), count, rows, cols };
      const augment = { shift: 9, scale: 0.6, rotate: 40, shear: 0.5, elastic: { alpha: 20, sigma: 2.5 } };
      const batch = async (options: Parameters<typeof init>[0]) => {
        await init(options);
        manualSeed(5);
        const loader = new data.DataLoader(ds, { batchSize: count, mean: 0.2, std: 0.4, augment });
        const [b] = loader;
        const x = b.x.data();
        loader.dispose();
        return x;
      };
      const js = await batch({ backend: "js" });
      const fill = -0.2 / 0.4;
      expect(js.filter((v) => Math.abs(v - fill) < 1e-6).length).toBeGreaterThan(0); // some samples fell outside
      for (const build of ["scalar", "simd"] as const) {
        const wasm = await batch({ build, threads: 1 });
        let worst = 0;
        for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(js[i] - wasm[i]) / (1 + Math.abs(js[i])));
        expect([rows, cols, build, worst < 1e-4]).toEqual([rows, cols, build, true]);
      }
    }
    await init({ backend: "wasm" });
  });
});

describe("end to end", () => {
  /** Every 10th test image: 1,000 images from both halves of the test set (its two writer populations). */
  function everyTenth(d: data.ImageDataset): data.ImageDataset {
    const n = Math.floor(d.count / 10);
    const images = new Uint8Array(n * 784),
      labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      images.set(d.images.subarray(i * 10 * 784, (i * 10 + 1) * 784), i * 784);
      labels[i] = d.labels[i * 10];
    }
    return { ...d, images, labels, count: n };
  }

  it.each(["js", "wasm"] as const)(
    "%s: trains MLP-S on 5,000 real MNIST images for one epoch to at least 90 percent on 1,000 test images (2,000 of the offline sample)",
    async (backend) => {
      const { nn, optim, referenceModel, tidy } = await import("../src/index.js");
      const { evaluate } = await import("../src/train/evaluate.js");
      await init({ backend });
      manualSeed(1);
      const d = await someMnist();
      const model = referenceModel("mlp-s");
      // one pass over 5,000 images: small batches and a cosine-annealed Adam make the most of it
      const opt = new optim.Adam(model.parameters(), { lr: 0.002 });
      const train = new data.DataLoader(data.subset(d.train, 5000), { batchSize: 4, flat: true });
      const schedule = new optim.CosineAnnealingLR(opt, train.length);
      for (const { x, y } of train) {
        tidy(() => {
          opt.zeroGrad();
          nn.functional.crossEntropy(model.forward(x), y).backward();
          opt.step();
        });
        schedule.step();
      }
      // the offline sample's 2,000 test digits are already a spread of writers
      const ev = evaluate(
        model,
        new data.DataLoader(d.sample ? d.test : everyTenth(d.test), { batchSize: 100, flat: true, shuffle: false }),
      );
      expect(ev.count).toBe(d.sample ? 2000 : 1000);
      expect(ev.accuracy).toBeGreaterThanOrEqual(0.9);
    },
  );
});
