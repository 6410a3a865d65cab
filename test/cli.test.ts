// The wasmgrad command as a user runs it (from dist/, built by `npm test`):
// train with --json and --save, eval of the saved weights (the model and
// dataset come from the file), reproducibility, signals, and mistakes on the
// command line. It trains on the full MNIST when the tests find it, else on
// the offline sample the package ships; it never downloads.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { data } from "../src/index.js";
import { OPTIONS } from "../src/cli/options.js";
import { datasetDir, NEEDS_NO_SYSTEM_MNIST, SYSTEM_HAS_MNIST } from "./helpers/datasets.js";
import { tempDir } from "./helpers/temp.js";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const mnist = datasetDir("mnist");
const dir = tempDir("wasmgrad-cli-");
/** No downloads, and a cache of its own, so a missing dataset means the shipped sample. */
const env = { ...process.env, WASMGRAD_OFFLINE: "1", XDG_CACHE_HOME: join(dir, "cache") };
const dataArgs = mnist ? ["--data-dir", mnist] : [];
const run = (args: string[]) =>
  execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env });

/** Runs the command and returns its exit status and stderr (0 and "" when it succeeds). */
function failure(args: string[]): [number, string] {
  try {
    run(args);
  } catch (e) {
    const err = e as { status: number; stderr: string };
    return [err.status, err.stderr];
  }
  return [0, ""];
}

/** Starts a training run, sends `signal` once its progress shows, and resolves with its exit code and output. */
function interrupted(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  let out = "",
    err = "",
    sent = false;
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => {
    err += d;
    if (!sent && /epoch 1\/1 +\d+%/.test(err)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out, err })));
}

describe("wasmgrad CLI", () => {
  const weights = join(dir, "mlp.safetensors");
  const notAFolder = join(dir, "plain-file");
  writeFileSync(notAFolder, "x");
  const base = ["train", "--model", "mlp-s", ...dataArgs, "--limit", "3000", "--test-limit", "500", "--json"];

  it("trains with the default recipe, reports test accuracy as JSON, and saves safetensors", () => {
    const out = JSON.parse(run([...base, "--save", weights, "--epochs", "2"]));
    expect(out.model).toBe("mlp-s");
    expect(out.sample).toBe(mnist === undefined);
    // the relaxed-SIMD build on every supported Node (Node 20 gets its flag set in-process)
    expect(out.backend).toBe("wasm-relaxed-simd");
    expect([out.optimizer, out.lr, out.schedule]).toEqual(["sgd", 0.05, "cosine"]);
    expect(out.trainImages).toBe(3000);
    expect(out.epochs).toHaveLength(2);
    expect(out.epochs[1].testAccuracy).toBeGreaterThan(0.85);
    expect(out.losses[out.losses.length - 1]).toBeLessThan(out.losses[0]);
    expect(existsSync(weights)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("evaluates saved weights with a confusion matrix, taking the model from the file", () => {
    const ev = JSON.parse(run(["eval", "--weights", weights, ...dataArgs, "--test-limit", "500", "--json"]));
    expect([ev.model, ev.dataset, ev.trainedOn]).toEqual(["mlp-s", "mnist", "mnist"]);
    expect(ev.count).toBe(500);
    expect(ev.accuracy).toBeGreaterThan(0.85);
    expect(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(500);
    const text = run(["eval", "--weights", weights, ...dataArgs, "--test-limit", "500"]);
    expect(text).toMatch(/mlp-s on mnist test: accuracy \d+\.\d\d% \(\d+\/500\)/);
    expect(text).toMatch(/confusion matrix/);
  });

  it("refuses weights of another model, and warns when evaluating on another dataset", () => {
    expect(failure(["eval", "--model", "cnn-m", "--weights", weights])).toEqual([
      2,
      expect.stringMatching(/mlp\.safetensors holds mlp-s weights \(its metadata says so\), not cnn-m: drop --model or pass --model mlp-s/),
    ]);
    // a tiny stand-in for KMNIST: the warning is the point, not the accuracy
    const kmnist = join(dir, "kmnist");
    const images = data.encodeIdx(new Uint8Array(20 * 784).fill(7), [20, 28, 28]),
      labels = data.encodeIdx(new Uint8Array(20), [20]);
    mkdirSync(kmnist);
    data.FILES.forEach((name, i) => writeFileSync(join(kmnist, name), i % 2 === 0 ? images : labels)); // images, labels, images, labels
    const child = spawn(process.execPath, [cli, "eval", "--weights", weights, "--dataset", "kmnist", "--data-dir", kmnist, "--json"], {
      env,
    });
    let out = "",
      err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    return new Promise<void>((resolve) =>
      child.on("exit", (code) => {
        expect(code).toBe(0);
        expect(err).toMatch(/warning: .*mlp\.safetensors was trained on mnist; evaluating it on kmnist as asked/);
        expect(JSON.parse(out)).toMatchObject({ model: "mlp-s", dataset: "kmnist", trainedOn: "mnist", count: 20 });
        resolve();
      }),
    );
  });

  it("repeats the same loss curve with the same seed", () => {
    const args = ["train", "--model", "mlp-s", ...dataArgs, "--limit", "640", "--test-limit", "100", "--json", "--build", "simd"];
    const a = JSON.parse(run([...args, "--seed", "7"])),
      b = JSON.parse(run([...args, "--seed", "7"])),
      c = JSON.parse(run([...args, "--seed", "8"]));
    expect(a.losses).toEqual(b.losses);
    expect(a.losses).not.toEqual(c.losses);
  });

  it("prints plain progress lines when stdout is not a terminal", () => {
    const text = run(["train", "--model", "mlp-s", ...dataArgs, "--limit", "1280", "--test-limit", "100"]);
    expect(text).toMatch(/epoch 1\/1 +100% +loss \d\.\d{4} +acc \d+\.\d\d% +[\d,]+ samples\/s +ETA \d+s\n/);
    expect(text).not.toMatch(/\r/);
    expect(text).toMatch(/test accuracy \d+\.\d\d%/);
  });

  it("says when it trains on the offline sample", (ctx) => {
    if (SYSTEM_HAS_MNIST) ctx.skip(NEEDS_NO_SYSTEM_MNIST);
    const sample = execFileSync(process.execPath, [cli, "train", "--model", "mlp-s", "--limit", "640", "--test-limit", "100"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, WASMGRAD_DATA: join(dir, "nothing-here") },
    });
    expect(sample).toMatch(/\(on the offline 10k-digit sample, not the full MNIST\)/);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("stops after the current batch on %s, still saves, and exits with %i", async (signal, status) => {
    const file = join(dir, `stopped-${signal}.safetensors`);
    const r = await interrupted(["train", "--model", "mlp-l", ...dataArgs, "--test-limit", "200", "--save", file, "--json"], signal);
    expect(r.code).toBe(status);
    expect(r.err).toMatch(/stopping after this batch/);
    const summary = JSON.parse(r.out);
    expect(summary.stoppedEarly).toBe(true);
    expect(summary.epochs[0].samplesPerSecond).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("runs the benchmark suites on every backend, and writes the report's JSON", () => {
    const file = join(dir, "bench.json");
    const out = JSON.parse(run(["bench", "--quick", "--suite", "training,inference", "--model", "mlp-s", "--json", "--out", file]));
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(out);
    const threaded =
      availableParallelism() > 1 ? [`wasm-relaxed-simd x${availableParallelism()}`, `wasm-simd x${availableParallelism()}`] : [];
    expect(out.schema).toBe("wasmgrad-bench/1");
    expect(out.contenders.map((c: { name: string }) => c.name)).toEqual([
      "wasm-relaxed-simd",
      "wasm-simd",
      "wasm-scalar",
      "js",
      ...threaded,
    ]);
    expect(out.workloads.map((w: { id: string }) => w.id)).toEqual(["train mlp-s", "infer mlp-s batch 1", "infer mlp-s batch 1000"]);
    expect(out.results).toHaveLength(3 * out.contenders.length);
    for (const r of out.results) {
      expect(r.error).toBeUndefined();
      expect(r.samplesMs.length).toBeGreaterThanOrEqual(1);
      expect(r.minMs).toBeGreaterThan(0);
      expect(r.minMs).toBeLessThanOrEqual(r.medianMs);
      expect(r.medianMs).toBeLessThanOrEqual(r.maxMs);
    }
    const tables = run(["bench", "--quick", "--suite", "training", "--model", "mlp-s"]);
    expect(tables).toMatch(/\| train mlp-s \| [\d,]+ \| [\d,]+ \| [\d,]+ \| [\d,]+ /);
    expect(tables).toContain("Command: `wasmgrad bench --quick --suite training --model mlp-s`");
  });

  it("finds an unwritable --save before training", () => {
    for (const target of [join(dir, "missing", "w.safetensors"), join(notAFolder, "w.safetensors"), dir]) {
      const r = spawnSync(process.execPath, [cli, "train", "--model", "mlp-s", ...dataArgs, "--save", target], { env, encoding: "utf8" });
      expect(r.status).toBe(2);
      // the only output: nothing was loaded or trained first
      expect(r.stderr).toMatch(new RegExp(`^wasmgrad: --save ${target}: (cannot write into .*: (ENOENT|ENOTDIR)|.* is a folder)\n$`));
      expect(r.stdout).toBe("");
    }
  });

  it("rejects bad arguments with a clear message", () => {
    const cases: [string[], RegExp][] = [
      [["train", "--model", "resnet"], /--model must be one of mlp-s, mlp-l, lenet5, cnn-m, mlp-ciresan, got 'resnet'/],
      [["train", "--epochs", "0"], /--epochs must be a positive integer, got 0/],
      [["train", "--epochs", "-1"], /--epochs must be a positive integer, got -1/],
      [["train", "--batch-size", "1.5"], /--batch-size must be a positive integer, got 1.5/],
      [["train", "--seed", "-3"], /--seed must be a non-negative integer, got -3/],
      [["train", "--lr", "-0.1"], /--lr must be a positive number, got -0.1/],
      [["train", "--lr", "fast"], /--lr must be a positive number, got fast/],
      [["train", "--momentum", "5"], /--momentum must be at least 0 and below 1, got 5/],
      [["train", "--limit", ""], /--limit must be a positive integer, got /],
      [["train", "--epochs"], /Option '--epochs <value>' argument missing/],
      [["train", "--colour"], /^wasmgrad: unknown option '--colour' \(wasmgrad --help lists the options\)\n$/],
      [["train", "--epochs", "0x2"], /--epochs must be a positive integer, got 0x2/],
      [["train", "--lr", "1e999"], /--lr must be a positive number, got 1e999/],
      [["train", "--backend", "js", "--build", "simd"], /--build picks a Wasm build: it applies to --backend wasm only/],
      [["train", "mlp-s"], /unexpected argument 'mlp-s'/],
      [["fly"], /unknown command 'fly'/],
      [["eval", "--model", "mlp-s"], /eval needs --weights/],
      [["bench", "--suite", "gpu"], /--suite must be one of kernels, training, inference, got 'gpu'/],
      [["eval", "--weights", join(dir, "none.safetensors")], /cannot read .*none\.safetensors: ENOENT/],
      [["eval", "--weights", notAFolder], /plain-file: safetensorsMetadata: not a valid safetensors file/],
    ];
    for (const [args, message] of cases) expect([args, ...failure(args)]).toEqual([args, 2, expect.stringMatching(message)]);
  });

  it("warns about options that do not apply", () => {
    const r = spawnSync(
      process.execPath,
      [cli, "eval", "--weights", weights, ...dataArgs, "--test-limit", "50", "--epochs", "3", "--json"],
      { env, encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/wasmgrad: warning: --epochs does not apply to eval; ignored/);
    const t = spawnSync(
      process.execPath,
      [cli, ...base, "--limit", "64", "--test-limit", "10", "--optimizer", "adam", "--momentum", "0.5"],
      { env, encoding: "utf8" },
    );
    expect(t.status).toBe(0);
    expect(t.stderr).toMatch(/wasmgrad: warning: --momentum applies to --optimizer sgd only; ignored for adam/);
  });

  it("quits at once, without saving, on a second signal (even during the evaluation that follows the first)", async () => {
    const file = join(dir, "twice.safetensors");
    const child = spawn(process.execPath, [cli, "train", "--model", "cnn-m", ...dataArgs, "--save", file], {
      stdio: ["ignore", "pipe", "pipe"],
      env,
    });
    let out = "",
      err = "";
    const started = new Promise<void>((resolve) => child.stdout.on("data", (d) => (out += d) && /epoch 1\/1 +\d+%/.test(out) && resolve()));
    const stopping = new Promise<void>((resolve) =>
      child.stderr.on("data", (d) => (err += d) && /stopping after this batch/.test(err) && resolve()),
    );
    await started;
    child.kill("SIGINT");
    await stopping; // the first signal was handled: the next meets Node's default action
    child.kill("SIGINT");
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    expect(code === 130 || signal === "SIGINT").toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it("lists every option of its table in the help, under each command it applies to, and warns where it does not", () => {
    const help = run(["--help"]);
    const section = (title: string) => help.slice(help.indexOf(title), help.indexOf("\n\n", help.indexOf(title) + 1));
    for (const [name, o] of Object.entries(OPTIONS)) {
      expect(help).toContain(`--${name}`);
      if ((o.commands as readonly string[]).includes("bench")) expect(section("bench:")).toContain(`--${name}`);
    }
    const r = spawnSync(process.execPath, [cli, "bench", "--epochs", "2", "--suite", "gpu"], { encoding: "utf8" }); // warns, then refuses --suite
    expect(r.stderr).toMatch(/--epochs does not apply to bench; ignored/);
  });

  it("holds out validation images, checkpoints every epoch, and resumes a stopped run to the same losses", async () => {
    const file = join(dir, "run.ckpt");
    const args = ["train", "--model", "mlp-ciresan", ...dataArgs, "--limit", "1400", "--validation", "400", "--test-limit", "200"];
    const more = ["--epochs", "4", "--augment", "--schedule", "cosine", "--lr", "0.01", "--json"];
    const whole = JSON.parse(run([...args, ...more]));
    expect(whole.trainImages).toBe(1000);
    expect(whole.validationImages).toBe(400);
    expect(whole.epochs.map((e: { validationAccuracy: number }) => e.validationAccuracy > 0.3)).toEqual([true, true, true, true]);
    const best = whole.epochs.reduce((a: { validationAccuracy: number }, e: { validationAccuracy: number }) =>
      e.validationAccuracy > a.validationAccuracy ? e : a,
    );
    expect(whole.bestValidationEpoch).toBe(best.epoch);
    expect(whole.testErrorAtBestValidation).toBeCloseTo(1 - best.testAccuracy, 12);
    // stopped by Ctrl-C once epoch 1 is done: the checkpoint holds the last whole epoch
    const child = spawn(process.execPath, [cli, ...args, ...more, "--checkpoint", file], { stdio: ["ignore", "pipe", "pipe"], env });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d;
      if (/epoch 1: /.test(err) && !child.killed) child.kill("SIGINT");
    });
    expect(await new Promise((r) => child.on("exit", (code) => r(code)))).toBe(130);
    const resumed = JSON.parse(run([...args, ...more, "--resume", file]));
    const after = resumed.resumedAfter as number;
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThan(4);
    expect(resumed.epochs).toHaveLength(4);
    expect(resumed.losses).toEqual(whole.losses.slice(-resumed.losses.length)); // every batch's loss, to the bit
    expect(resumed.epochs.slice(after).map((e: { loss: number }) => e.loss)).toEqual(
      whole.epochs.slice(after).map((e: { loss: number }) => e.loss),
    );
    expect(resumed.bestValidationEpoch).toBe(whole.bestValidationEpoch);
    // another run's options are refused, naming the one that differs
    expect(failure([...args, ...more, "--seed", "2", "--resume", file])).toEqual([
      2,
      expect.stringMatching(/--resume .*run.ckpt: the checkpoint's run has seed 1, this command 2: resume with the same options/),
    ]);
    expect(failure([...args, ...more, "--resume", weights])[1]).toMatch(/not a checkpoint/);
    const other = spawnSync(process.execPath, [cli, ...args, ...more, "--threads", "1", "--resume", file], { env, encoding: "utf8" });
    expect(other.status).toBe(0);
    expect(other.stderr).toMatch(/the run began on wasm-\S+ x\d+, it goes on on wasm-\S+ x1: the same run, but not to the last bit/);
  }, 120_000);

  it("trains a recipe (its options, overridden by options given), and eval reads its input scaling from the file", () => {
    const file = join(dir, "recipe.safetensors");
    const args = ["train", "--recipe", "ciresan2010", ...dataArgs, "--limit", "600", "--validation", "100", "--test-limit", "300"];
    const r = JSON.parse(run([...args, "--epochs", "1", "--batch-size", "16", "--save", file, "--json"]));
    expect([r.model, r.optimizer, r.lr, r.schedule, r.batchSize, r.augment, r.validationImages]).toEqual([
      "mlp-ciresan",
      "sgd",
      0.001,
      "exponential",
      16,
      true,
      100,
    ]);
    const ev = JSON.parse(run(["eval", "--weights", file, ...dataArgs, "--test-limit", "300", "--json"]));
    expect(ev.model).toBe("mlp-ciresan");
    expect(ev.accuracy).toBe(r.testAccuracy); // the same inputs in [-1, 1] as in training, from the file's metadata
  });

  it("exports saved weights as ONNX, which eval --onnx evaluates to the same accuracy (scaling from the file's metadata)", () => {
    const weights = join(dir, "export.safetensors"),
      onnx = join(dir, "export.onnx");
    const trained = ["train", "--recipe", "ciresan2010-minibatch", ...dataArgs, "--limit", "1000", "--validation", "200", "--epochs", "1"];
    run([...trained, "--test-limit", "300", "--save", weights]);
    expect(run(["export", "--weights", weights, "--onnx", onnx, "--opset", "13"])).toMatch(
      /^wrote .*export\.onnx: mlp-ciresan, opset 13, [\d,]+ bytes; input \[batch, 784\], output \[batch, 10\]/,
    );
    const fromWeights = JSON.parse(run(["eval", "--weights", weights, ...dataArgs, "--test-limit", "300", "--json"]));
    const fromOnnx = JSON.parse(run(["eval", "--onnx", onnx, ...dataArgs, "--test-limit", "300", "--json"]));
    expect([fromOnnx.model, fromOnnx.onnx, fromOnnx.accuracy]).toEqual(["mlp-ciresan", onnx, fromWeights.accuracy]);
    expect(failure(["export", "--weights", weights])).toEqual([2, expect.stringMatching(/export needs --onnx FILE/)]);
    expect(failure(["eval", "--weights", weights, "--onnx", onnx])).toEqual([
      2,
      expect.stringMatching(/eval takes --weights or --onnx, not both/),
    ]);
    expect(failure(["export", "--weights", weights, "--onnx", onnx, "--opset", "12"])).toEqual([
      2,
      expect.stringMatching(/--opset must be a whole number from 13 to 20, got 12/),
    ]);
    writeFileSync(join(dir, "bad.onnx"), "not a model");
    expect(failure(["eval", "--onnx", join(dir, "bad.onnx")])).toEqual([2, expect.stringMatching(/bad\.onnx: fromOnnx: /)]);
  });

  it("prints its version", () => {
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    expect(run(["--version"])).toBe(`wasmgrad ${version}\n`);
  });
});
