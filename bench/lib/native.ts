// Native PyTorch as a yardstick, through bench/native/pytorch.py, where the
// machine has it (Debian's python3-torch; `PYTHON` picks another
// interpreter). Never needed: without it the column is left out.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const python = process.env.PYTHON ?? "/usr/bin/python3";
const script = join(dirname(fileURLToPath(import.meta.url)), "..", "native", "pytorch.py");

let version: string | null | undefined;

/** PyTorch's version, or null where `python -c "import torch"` fails. */
export function pytorchVersion(): string | null {
  if (version === undefined) {
    const r = spawnSync(python, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" });
    version = r.status === 0 ? r.stdout.trim() : null;
  }
  return version;
}

/** Training samples/s of reference models ("mlp-s" or "mlp-s,cnn-m") at batch 64 on `threads` threads: per model, the median and each timed run. */
export function pytorchTrain(
  models: string,
  threads: number,
  quick: boolean,
): { median: Record<string, number>; runs: Record<string, number[]> } | string {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-bench-"));
  try {
    const out = join(dir, "out.json");
    const args = [script, "--models", models, "--threads", String(threads), "--json", out, ...(quick ? ["--quick"] : [])];
    const r = spawnSync(python, args, { encoding: "utf8" });
    if (r.status !== 0) return `cannot (${(r.stderr || r.stdout).trim().split("\n").pop()})`;
    const json = JSON.parse(readFileSync(out, "utf8")) as {
      samplesPerS: Record<string, Record<string, number>>;
      runs: Record<string, Record<string, number[]>>;
    };
    const pick = <T>(byModel: Record<string, Record<string, T>>) =>
      Object.fromEntries(Object.entries(byModel).map(([m, byThreads]) => [m, byThreads[threads]]));
    return { median: pick(json.samplesPerS), runs: pick(json.runs) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
