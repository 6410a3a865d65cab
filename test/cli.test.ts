// The wasmgrad command as a user runs it (from dist/, built by `npm test`):
// train with --json and --save, eval of the saved weights, reproducibility,
// Ctrl-C, and bad arguments.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");
const cli = join(root, "dist", "cli", "main.js");
const mnist = join(root, "..", "shared", "data", "mnist");
const run = (args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("wasmgrad CLI", () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-cli-"));
  const weights = join(dir, "mlp.safetensors");
  const base = ["train", "--model", "mlp-s", "--data-dir", mnist, "--limit", "3000", "--test-limit", "500", "--json"];

  it("trains, reports test accuracy as JSON, and saves safetensors", () => {
    const out = JSON.parse(run([...base, "--save", weights, "--epochs", "2"]));
    expect(out.model).toBe("mlp-s");
    expect(out.backend).toMatch(/^wasm-/);
    expect(out.trainImages).toBe(3000);
    expect(out.epochs).toHaveLength(2);
    expect(out.epochs[1].testAccuracy).toBeGreaterThan(0.85);
    expect(out.losses[out.losses.length - 1]).toBeLessThan(out.losses[0]);
    expect(existsSync(weights)).toBe(true);
  });

  it("evaluates the saved weights with a confusion matrix", () => {
    const ev = JSON.parse(run(["eval", "--model", "mlp-s", "--weights", weights, "--data-dir", mnist, "--test-limit", "500", "--json"]));
    expect(ev.count).toBe(500);
    expect(ev.accuracy).toBeGreaterThan(0.85);
    expect(ev.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(500);
    const text = run(["eval", "--model", "mlp-s", "--weights", weights, "--data-dir", mnist, "--test-limit", "500"]);
    expect(text).toMatch(/accuracy \d+\.\d\d% \(\d+\/500\)/);
    expect(text).toMatch(/confusion matrix/);
  });

  it("repeats the same loss curve with the same seed", () => {
    const args = ["train", "--model", "mlp-s", "--data-dir", mnist, "--limit", "640", "--test-limit", "100", "--json", "--build", "simd"];
    const a = JSON.parse(run([...args, "--seed", "7"])), b = JSON.parse(run([...args, "--seed", "7"])), c = JSON.parse(run([...args, "--seed", "8"]));
    expect(a.losses).toEqual(b.losses);
    expect(a.losses).not.toEqual(c.losses);
  });

  it("prints plain progress lines when stdout is not a terminal", () => {
    const text = run(["train", "--model", "mlp-s", "--data-dir", mnist, "--limit", "1280", "--test-limit", "100"]);
    expect(text).toMatch(/epoch 1\/1 +100% +loss \d\.\d{4} +acc \d+\.\d\d% +[\d,]+ samples\/s +ETA \d+s\n/);
    expect(text).not.toMatch(/\r/);
    expect(text).toMatch(/test accuracy \d+\.\d\d%/);
  });

  it("stops after the current batch on Ctrl-C and still saves", async () => {
    const file = join(dir, "stopped.safetensors");
    const child = spawn(process.execPath, [cli, "train", "--model", "mlp-l", "--data-dir", mnist, "--test-limit", "200", "--save", file, "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, WASMGRAD_NO_RESPAWN: "1" },
    });
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => {
      err += d;
      if (/epoch 1\/1 +\d+%/.test(err) && !child.killed) child.kill("SIGINT");
    });
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    expect(code).toBe(0);
    expect(err).toMatch(/stopping after this batch/);
    const summary = JSON.parse(out);
    expect(summary.stoppedEarly).toBe(true);
    expect(existsSync(file)).toBe(true);
  });

  it("benchmarks training on every backend", () => {
    const out = JSON.parse(run(["bench", "--model", "mlp-s", "--steps", "3", "--json"]));
    expect(Object.keys(out.samplesPerSecond)).toEqual(["wasm-relaxed-simd", "wasm-simd", "wasm-scalar", "js"]);
    for (const v of Object.values(out.samplesPerSecond)) expect(v).toBeGreaterThan(0);
  });

  it("rejects bad arguments with a clear message", () => {
    const bad = (args: string[]) => {
      try {
        run(args);
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return [err.status, err.stderr];
      }
      return [0, ""];
    };
    expect(bad(["train", "--model", "resnet"])).toEqual([2, expect.stringMatching(/--model must be one of mlp-s, mlp-l, lenet5, cnn-m, got 'resnet'/)]);
    expect(bad(["train", "--epochs", "0"])).toEqual([2, expect.stringMatching(/--epochs must be an integer >= 1/)]);
    expect(bad(["fly"])).toEqual([2, expect.stringMatching(/unknown command 'fly'/)]);
    expect(bad(["eval", "--model", "mlp-s"])).toEqual([2, expect.stringMatching(/eval needs --weights/)]);
    expect(bad(["eval", "--model", "cnn-m", "--weights", weights, "--data-dir", mnist])).toEqual([2, expect.stringMatching(/does not hold cnn-m weights/)]);
  });
});
