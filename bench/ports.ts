// The four ported scripts (examples/*.mjs) against their PyTorch twins
// (examples/pytorch/*.py) on this machine, full MNIST: test accuracy after
// each epoch and the training time of each epoch, ours and PyTorch's run
// one after the other per script (the same machine state for both), PyTorch
// again with more seeds for the spread of its accuracy. Writes
// bench/results/ports.json and prints the README's table.
//
//   npm run bench:ports [-- --epochs 3] [-- --seeds 3] [-- --scripts keras-convnet,simple-vit] [-- --threads 2] [-- --node PATH]
// Needs MNIST (WASMGRAD_DATA=.../data) and Debian's python3-torch with libopenblas0-pthread.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../src/node/files.js";
import { RESULTS } from "./charts/render.js";

const SCRIPTS = ["pytorch-mnist", "keras-convnet", "kaggle-cnn", "simple-vit"];
const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "3" },
    seeds: { type: "string", default: "3" },
    scripts: { type: "string", default: SCRIPTS.join(",") },
    threads: { type: "string", default: "2" },
    node: { type: "string", default: process.execPath },
  },
});
const root = join(import.meta.dirname, "..");
const data = process.env.WASMGRAD_DATA;
if (!data) throw new Error("bench:ports needs the full MNIST: set WASMGRAD_DATA to a folder holding mnist/");

interface Epoch {
  epoch: number;
  loss: number;
  seconds: number;
  testAccuracy: number;
}
interface Run {
  script: string;
  engine: string;
  seed: number;
  epochs: Epoch[];
  [k: string]: unknown;
}

const common = ["--epochs", values.epochs, "--threads", values.threads, "--json"];
function run(command: string, args: string[]): Run {
  const out = execFileSync(command, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env } });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}
const ours = (script: string, seed: number) => run(values.node, [join("examples", `${script}.mjs`), ...common, "--seed", String(seed)]);
const torch = (script: string, seed: number) =>
  run("/usr/bin/python3", [
    join("examples", "pytorch", `${script.replace(/-/g, "_")}.py`),
    ...common,
    "--seed",
    String(seed),
    "--data",
    data,
  ]);

const runs: Run[] = [];
const nodeVersion = execFileSync(values.node, ["--version"], { encoding: "utf8" }).trim();
for (const script of values.scripts.split(",")) {
  if (!SCRIPTS.includes(script)) throw new Error(`unknown script '${script}' (${SCRIPTS.join(", ")})`);
  console.error(`== ${script}`);
  runs.push(ours(script, 1), torch(script, 1));
  for (let seed = 2; seed <= Number(values.seeds); seed++) runs.push(torch(script, seed));
}

const report = { date: new Date().toISOString(), node: nodeVersion, threads: Number(values.threads), runs };
writeFileAtomic(join(RESULTS, "ports.json"), JSON.stringify(report, null, 1) + "\n");

const pct = (v: number) => (100 * v).toFixed(2);
const lines = [
  `| script | epoch | wasmgrad test acc. | PyTorch test acc. (seed 1; seeds 1-${values.seeds} range) | wasmgrad s/epoch | PyTorch s/epoch | speed ours / PyTorch |`,
  "| --- | --- | --- | --- | --- | --- | --- |",
];
for (const script of values.scripts.split(",")) {
  const mine = runs.find((r) => r.script === script && r.engine === "wasmgrad")!;
  const theirs = runs.filter((r) => r.script === script && r.engine === "pytorch");
  for (const e of mine.epochs) {
    const t = theirs.map((r) => r.epochs[e.epoch - 1]);
    const accs = t.map((x) => x.testAccuracy);
    lines.push(
      `| ${script} | ${e.epoch} | ${pct(e.testAccuracy)}% | ${pct(accs[0])}% (${pct(Math.min(...accs))}-${pct(Math.max(...accs))}) | ${e.seconds.toFixed(1)} | ${t[0].seconds.toFixed(1)} | ${(t[0].seconds / e.seconds).toFixed(2)}x |`,
    );
  }
}
console.log(`${nodeVersion}, ${values.threads} threads, full MNIST; ${report.date}\n${lines.join("\n")}`);
console.error("wrote bench/results/ports.json");
