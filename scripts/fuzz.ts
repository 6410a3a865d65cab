// The file readers against mutated files: ONNX models (io.fromOnnx, and a
// forward pass of each one that builds), safetensors (io.loadSafetensors) and
// IDX (data.readIdx, raw and gzipped). Each case mutates a valid file (bit
// flips, truncations, spliced bytes, huge varints or lengths) from a seeded
// generator; a reader may return or throw an error that names what it was
// reading, nothing else: another error, a crash of the Wasm instance or a case
// that runs over 10 s stops the run with the case's seed and index to replay.
//
//   npm run fuzz [-- --runs 1000000] [-- --seed 1] [-- --target onnx,safetensors,idx]
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { spawn } from "node:child_process";
import { data, init, io, memory, noGrad, tensor, tidy, zeros } from "../src/index.js";
import { encodeModel, DataType, type OnnxModel, type OnnxNode, type OnnxTensor } from "../src/io/onnx/model.js";

const TARGETS = ["onnx", "safetensors", "idx"] as const;
type Target = (typeof TARGETS)[number];

/** xorshift32: the mutations of case i of seed s are the same on every run. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function mutate(valid: Uint8Array, rand: () => number): Uint8Array {
  const at = Math.floor(rand() * valid.length);
  switch (Math.floor(rand() * 5)) {
    case 0: {
      const b = valid.slice();
      for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) b[Math.floor(rand() * b.length)] ^= 1 << Math.floor(rand() * 8);
      return b;
    }
    case 1:
      return valid.subarray(0, at);
    case 2: {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256));
      return Uint8Array.from([...valid.subarray(0, at), ...bytes, ...valid.subarray(at)]);
    }
    case 3: // a varint (ONNX) or a little-endian length (safetensors, IDX) as large as it gets
      return Uint8Array.from([...valid.subarray(0, at), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...valid.subarray(at + 1)]);
    default: {
      // one byte set to an edge value
      const b = valid.slice();
      b[at] = [0, 1, 0x7f, 0x80, 0xff][Math.floor(rand() * 5)];
      return b;
    }
  }
}

function onnxModel(): Uint8Array {
  const node = (opType: string, inputs: string[], outputs: string[], attributes: OnnxNode["attributes"] = new Map()): OnnxNode => ({
    name: outputs[0],
    opType,
    domain: "",
    inputs,
    outputs,
    attributes,
  });
  const floats = (name: string, dims: number[]): OnnxTensor => ({
    name,
    dataType: DataType.FLOAT,
    dims,
    data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i) / 3),
  });
  const model: OnnxModel = {
    irVersion: 8,
    opsetImports: [{ domain: "", version: 17 }],
    producerName: "fuzz",
    producerVersion: "",
    metadata: new Map([["model", "fuzz"]]),
    graph: {
      name: "g",
      nodes: [
        node("Conv", ["x", "w", "b"], ["c"], new Map([["pads", { type: "ints", value: [1, 1, 1, 1] }]])),
        node("Relu", ["c"], ["r"]),
        node(
          "MaxPool",
          ["r"],
          ["p"],
          new Map([
            ["kernel_shape", { type: "ints", value: [2, 2] }],
            ["strides", { type: "ints", value: [2, 2] }],
          ]),
        ),
        node("Flatten", ["p"], ["f"]),
        node("Gemm", ["f", "fc", "fcb"], ["y"], new Map([["transB", { type: "int", value: 1 }]])),
      ],
      initializers: [floats("w", [2, 1, 3, 3]), floats("b", [2]), floats("fc", [3, 8]), floats("fcb", [3])],
      inputs: [{ name: "x", elemType: DataType.FLOAT, shape: ["batch", 1, 4, 4] }],
      outputs: [{ name: "y", elemType: DataType.FLOAT, shape: ["batch", 3] }],
    },
  };
  return encodeModel(model);
}

function idxFile(): Uint8Array {
  const b = new Uint8Array(4 + 12 + 3 * 4 * 4);
  const v = new DataView(b.buffer);
  v.setUint8(2, 0x08);
  v.setUint8(3, 3);
  [3, 4, 4].forEach((d, i) => v.setUint32(4 + 4 * i, d));
  for (let i = 16; i < b.length; i++) b[i] = i * 7;
  return b;
}

/** Each target's valid file, its reader, and the prefix its errors carry. */
async function targets(): Promise<
  Record<Target, { files: Uint8Array[]; read: (b: Uint8Array) => Promise<void> | void; prefixes: string[] }>
> {
  return {
    onnx: {
      files: [onnxModel()],
      read: (b) => {
        const m = io.fromOnnx(b);
        try {
          noGrad(() => tidy(() => void m.forward(tensor(new Float32Array(32).fill(0.5), { shape: [2, 1, 4, 4] }))));
        } finally {
          m.dispose();
        }
      },
      prefixes: ["fromOnnx: ", "OnnxModule: "],
    },
    safetensors: {
      files: [io.saveSafetensors({ "a.weight": zeros([3, 4]).add(0.25), b: zeros([2]) }, { model: "fuzz" })],
      read: (b) => {
        for (const t of Object.values(io.loadSafetensors(b))) t.dispose();
        io.safetensorsMetadata(b);
      },
      prefixes: ["loadSafetensors: ", "safetensorsMetadata: "],
    },
    idx: {
      files: [idxFile(), new Uint8Array(gzipSync(idxFile()))],
      read: async (b) => void (await data.readIdx(b, "fuzz.idx")),
      prefixes: ["fuzz.idx: "],
    },
  };
}

interface Job {
  target: Target;
  runs: number;
  seed: number;
}

const say = (m: object) => process.stdout.write(JSON.stringify(m) + "\n");

/** The child process: runs the cases, a line of progress every 1,000 (the parent's watchdog hears it). */
async function fuzz(job: Job): Promise<void> {
  await init({ threads: 1 });
  const t = (await targets())[job.target];
  const live = memory().tensors;
  const rand = generator(job.seed);
  let refused = 0,
    read = 0;
  for (let i = 0; i < job.runs; i++) {
    const file = t.files[Math.floor(rand() * t.files.length)];
    const bytes = mutate(file, rand);
    if (i % 1000 === 0) say({ at: i });
    try {
      await t.read(bytes);
      read++;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!t.prefixes.some((p) => message.startsWith(p))) {
        say({ failed: { index: i, message, bytes: Buffer.from(bytes).toString("base64") } });
        return;
      }
      refused++;
    }
  }
  const leaked = memory().tensors - live;
  say({ done: { read, refused, leaked } });
}

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
    target: { type: "string", default: TARGETS.join(",") },
    child: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs),
  seed = Number(values.seed);
const chosen = values.target!.split(",") as Target[];
for (const c of chosen) if (!TARGETS.includes(c)) throw new Error(`fuzz: unknown target '${c}' (${TARGETS.join(", ")})`);

/** One target's cases in a child process, killed when it falls silent for 10 s. */
function runChild(target: Target, share: number): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", import.meta.filename, "--child", "--target", target, "--runs", String(share), "--seed", String(seed)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve) => {
    let buffered = "",
      heard = performance.now(),
      at = 0,
      result = "";
    const watch = setInterval(() => {
      if (performance.now() - heard > 10_000) {
        clearInterval(watch);
        child.kill("SIGKILL");
        resolve(`HANG: nothing for 10 s after case ${at} of seed ${seed}`);
      }
    }, 500);
    child.stdout.on("data", (chunk: Buffer) => {
      heard = performance.now();
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = JSON.parse(line) as {
          at?: number;
          failed?: { index: number; message: string; bytes: string };
          done?: { read: number; refused: number; leaked: number };
        };
        if (m.at !== undefined) at = m.at;
        if (m.failed) result = `FAILED: case ${m.failed.index} of seed ${seed}: ${m.failed.message}\n  bytes (base64): ${m.failed.bytes}`;
        if (m.done)
          result =
            `${m.done.leaked ? `LEAKED ${m.done.leaked} tensors; ` : ""}` +
            `${m.done.read.toLocaleString("en-US")} read, ${m.done.refused.toLocaleString("en-US")} refused with the reader's message`;
      }
    });
    child.on("exit", (code, signal) => {
      clearInterval(watch);
      resolve(result || `FAILED: the process ended (${signal ?? `exit ${code}`}) after case ${at} of seed ${seed}`);
    });
  });
}

if (values.child) {
  await fuzz({ target: chosen[0], runs, seed });
  process.exit(0);
} else {
  let failed = false;
  for (const target of chosen) {
    const share = Math.ceil(runs / chosen.length);
    const t0 = performance.now();
    const result = await runChild(target, share);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`${target}: ${share.toLocaleString("en-US")} mutated files in ${seconds.toFixed(0)} s: ${result}`);
    if (/^(FAILED|HANG|LEAKED)/.test(result)) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
