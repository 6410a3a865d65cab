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

export interface PytorchInfo {
  torch: string;
  /** The BLAS its products run on: MKL from torch.__config__, or the library file the process mapped. */
  blas: string;
  /** OpenBLAS, MKL or BLIS; false for the reference BLAS (10x slower), which no figure should be read against. */
  optimizedBlas: boolean;
}

let info: PytorchInfo | null | undefined;

/** PyTorch's version and BLAS, or null where PyTorch cannot be imported. */
export function pytorchInfo(): PytorchInfo | null {
  if (info === undefined) {
    const r = spawnSync(python, [script, "--info"], { encoding: "utf8" });
    info = r.status === 0 ? (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as PytorchInfo) : null;
  }
  return info;
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
