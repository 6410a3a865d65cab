// MNIST, Fashion-MNIST and KMNIST from IDX files. Looked for, in order: an
// explicit directory, $WASMGRAD_DATA/<name>, the user cache
// (~/.cache/wasmgrad/<name>), /usr/share/datasets/<name>; then downloaded from
// the dataset's public mirrors into the cache, checked against the published
// gz checksums and written atomically. With no files and no network, mnist
// falls back to the real 10,000-digit sample the package ships, and says so.
// Node only (browsers pass bytes to readIdx / makeDataset).
import { readIdx, type IdxArray } from "./idx.js";
import { makeDataset, type ImageDataset } from "./dataset.js";
import { nodeBuiltin } from "../platform.js";
import { writeFileAtomic } from "../node/files.js";
import { thousands } from "../format.js";

export type DatasetName = "mnist" | "fashion-mnist" | "kmnist";

export const FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] as const;

export interface Source {
  mirrors: string[];
  /** MD5 of the published .gz files, checked on downloads only. */
  md5: Record<(typeof FILES)[number], string>;
}

export const SOURCES: Record<DatasetName, Source> = {
  mnist: {
    mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
    md5: {
      "train-images-idx3-ubyte": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
      "train-labels-idx1-ubyte": "d53e105ee54ea40749a09fcbcd1e9432",
      "t10k-images-idx3-ubyte": "9fb629c4189551a2d022fa330f9573f3",
      "t10k-labels-idx1-ubyte": "ec29112dd5afa0611ce80d1b7f02629c",
    },
  },
  "fashion-mnist": {
    mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    md5: {
      "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
      "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
      "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
      "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
    },
  },
  kmnist: {
    mirrors: ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
    md5: {
      "train-images-idx3-ubyte": "bdb82020997e1d708af4cf47b453dcf7",
      "train-labels-idx1-ubyte": "e144d726b3acfaa3e44228e80efcd344",
      "t10k-images-idx3-ubyte": "5c965bf0a639b31b8f53240b1b52f4d7",
      "t10k-labels-idx1-ubyte": "7320c461ea6c1c855c0b718fb2a4b134",
    },
  },
};

export interface LoadMnistOptions {
  name?: DatasetName;
  /** Look only here (an error if the files are not there). */
  dir?: string;
  /** Allow downloading into the cache (default true, false when $WASMGRAD_OFFLINE is set). */
  download?: boolean;
  /** Allow the offline 10k-digit sample for mnist (default true). */
  sample?: boolean;
  /** Override the mirrors and checksums (tests, private mirrors). */
  mirrors?: string[];
  md5?: Partial<Record<(typeof FILES)[number], string>>;
  /** Override the cache root (default $XDG_CACHE_HOME/wasmgrad or ~/.cache/wasmgrad). */
  cacheDir?: string;
  /** Progress and notices (default: console.error). */
  log?: (message: string) => void;
}

export interface MnistData {
  name: DatasetName;
  train: ImageDataset;
  test: ImageDataset;
  /** Where the files came from. */
  source: string;
  /** True for the offline 10k-digit sample. */
  sample: boolean;
}

async function node() {
  const fs = nodeBuiltin<typeof import("node:fs")>("node:fs");
  if (fs === undefined) {
    throw new Error("loadMnist: reads files, so it runs in Node; in a browser, fetch the IDX files and use data.readIdx");
  }
  return {
    fs,
    path: nodeBuiltin<typeof import("node:path")>("node:path")!,
    os: nodeBuiltin<typeof import("node:os")>("node:os")!,
    crypto: nodeBuiltin<typeof import("node:crypto")>("node:crypto")!,
    url: nodeBuiltin<typeof import("node:url")>("node:url")!,
  };
}

export async function cacheRoot(override?: string): Promise<string> {
  const { path, os } = await node();
  if (override) return override;
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length ? xdg : path.join(os.homedir(), ".cache"), "wasmgrad");
}

/** The file (gz or raw) for each of the four names in dir, or null if any is missing. */
async function findFiles(dir: string): Promise<string[] | null> {
  const { fs, path } = await node();
  const found: string[] = [];
  for (const f of FILES) {
    const hit = [`${f}.gz`, f].map((n) => path.join(dir, n)).find((p) => fs.existsSync(p));
    if (!hit) return null;
    found.push(hit);
  }
  return found;
}

/** Reads an IDX file (gzipped or raw); gunzip writes it into one buffer sized from the gzip trailer. */
async function readIdxFile(file: string): Promise<IdxArray> {
  const { fs } = await node();
  return readIdx(await fs.promises.readFile(file), file);
}

async function readFiles(name: DatasetName, files: string[]): Promise<[ImageDataset, ImageDataset]> {
  const parts: IdxArray[] = [];
  for (const f of files) parts.push(await readIdxFile(f)); // one at a time: a lower peak
  const train = makeDataset(parts[0].data, parts[0].shape, parts[1].data, parts[1].shape, `${name} train (${files[0]})`);
  const test = makeDataset(parts[2].data, parts[2].shape, parts[3].data, parts[3].shape, `${name} test (${files[2]})`);
  return [train, test];
}

/** Downloads the four files into dir, verifying checksums; each lands by an atomic rename. */
async function download(name: DatasetName, dir: string, o: LoadMnistOptions, log: (m: string) => void): Promise<void> {
  const { fs, path, crypto } = await node();
  const src = SOURCES[name];
  const mirrors = o.mirrors ?? src.mirrors;
  fs.mkdirSync(dir, { recursive: true });
  const unreachable = new Set<string>(); // a mirror that failed to connect is not asked again
  for (const f of FILES) {
    const file = `${f}.gz`,
      target = path.join(dir, file);
    if (fs.existsSync(target)) continue;
    const expected = o.md5?.[f] ?? src.md5[f];
    const errors: string[] = [];
    let done = false;
    for (const m of mirrors) {
      const url = m.endsWith("/") ? m + file : `${m}/${file}`;
      if (unreachable.has(m)) continue;
      try {
        log(`downloading ${url}`);
        const r = await fetch(url, { signal: AbortSignal.timeout(120_000) });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const bytes = new Uint8Array(await r.arrayBuffer());
        const md5 = crypto.createHash("md5").update(bytes).digest("hex");
        if (md5 !== expected) throw new Error(`checksum mismatch: md5 ${md5}, published ${expected}`);
        writeFileAtomic(target, bytes); // a partial download never poses as the file
        done = true;
        break;
      } catch (e) {
        const cause = (e as Error).cause;
        if (cause !== undefined) unreachable.add(m);
        errors.push(`${url}: ${cause !== undefined ? String(cause) : (e as Error).message}`);
      }
    }
    if (!done) {
      if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir); // leave no empty cache folder behind
      throw new Error(`could not download ${file}:\n  ${errors.join("\n  ")}`);
    }
  }
}

/**
 * sample/mnist/ of the package (src/data/ and dist/data/ sit two levels below
 * its root). Kept out of the `new URL("...", import.meta.url)` shape, which
 * bundlers would take for an asset of the page: the sample is for Node only.
 */
const SAMPLE_PATH = "../../sample/mnist/";
const moduleUrl = import.meta.url;

/** The offline sample: 10,000 real digits the package ships (sample/README.md says where they are from). */
async function loadSample(): Promise<MnistData> {
  const { path, url } = await node();
  const dir = path.normalize(url.fileURLToPath(new URL(SAMPLE_PATH, moduleUrl)));
  const files = await findFiles(dir);
  if (!files) throw new Error(`loadMnist: the offline sample is missing from ${dir}; in a checkout of wasmgrad, run \`npm run build\``);
  const [train, test] = await readFiles("mnist", files);
  return { name: "mnist", train, test, source: `${dir} (the offline sample shipped with wasmgrad)`, sample: true };
}

/** The folders searched, in order, before a download: $WASMGRAD_DATA/<name>, the cache, /usr/share/datasets/<name>. */
async function searchPath(name: DatasetName, cacheDir?: string): Promise<string[]> {
  const { path } = await node();
  return [
    ...(process.env.WASMGRAD_DATA ? [path.join(process.env.WASMGRAD_DATA, name)] : []),
    path.join(await cacheRoot(cacheDir), name),
    path.join("/usr/share/datasets", name),
  ];
}

function checkName(name: string, op: string): asserts name is DatasetName {
  if (!(name in SOURCES)) throw new TypeError(`${op}: unknown dataset '${String(name)}' (expected ${Object.keys(SOURCES).join(", ")})`);
}

/**
 * The folder loadMnist would read the full dataset from, without reading it
 * or downloading anything: the first folder of the search path that holds
 * the four files, or undefined.
 */
export async function findMnist(options: { name?: DatasetName; cacheDir?: string } = {}): Promise<string | undefined> {
  const name = options.name ?? "mnist";
  checkName(name, "findMnist");
  for (const dir of await searchPath(name, options.cacheDir)) if (await findFiles(dir)) return dir;
  return undefined;
}

export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const name = options.name ?? "mnist";
  checkName(name, "loadMnist");
  const { path } = await node();
  const log = options.log ?? ((m: string) => console.error(m));
  const make = async (files: string[], source: string): Promise<MnistData> => {
    const [train, test] = await readFiles(name, files);
    return { name, train, test, source, sample: false };
  };
  if (options.dir !== undefined) {
    const files = await findFiles(options.dir);
    if (!files)
      throw new Error(`loadMnist: ${options.dir} does not hold the four ${name} files (${FILES.map((f) => `${f}[.gz]`).join(", ")})`);
    return make(files, options.dir);
  }
  const candidates = await searchPath(name, options.cacheDir);
  for (const dir of candidates) {
    const files = await findFiles(dir);
    if (files) return make(files, dir);
  }
  const cache = path.join(await cacheRoot(options.cacheDir), name);
  const offline = process.env.WASMGRAD_OFFLINE !== undefined && process.env.WASMGRAD_OFFLINE !== "" && process.env.WASMGRAD_OFFLINE !== "0";
  let downloadError = offline ? "downloads are off (WASMGRAD_OFFLINE is set)" : "downloads are off";
  if (options.download ?? !offline) {
    try {
      await download(name, cache, options, log);
      return make((await findFiles(cache))!, cache);
    } catch (e) {
      downloadError = `the download failed: ${(e as Error).message}`;
    }
  }
  const where = `Put the four files (${FILES.map((f) => `${f}.gz`).join(", ")}) in ${cache}, or set WASMGRAD_DATA to a folder that holds ${name}/`;
  if (name === "mnist" && options.sample !== false) {
    const sample = await loadSample();
    log(
      `No MNIST files found (looked in ${candidates.join(", ")}) and ${downloadError.replace(/\n\s*/g, " ")}.\n` +
        `Using the offline sample instead: ${thousands(sample.train.count + sample.test.count)} real MNIST digits shipped with wasmgrad ` +
        `(${thousands(sample.train.count)} train / ${thousands(sample.test.count)} test), not the full 70,000.\n${where}.`,
    );
    return sample;
  }
  throw new Error(`loadMnist: no ${name} files found (looked in ${candidates.join(", ")}) and ${downloadError}.\n${where}.`);
}
