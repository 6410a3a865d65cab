#!/usr/bin/env node
// The `wasmgrad` command: train, eval, export and bench on MNIST-family data. The
// options are one table (options.ts); each command is a file of its own.
import { enableRelaxedSimd } from "../node/relaxed-simd.js";
import { parse } from "./args.js";
import { fail } from "./common.js";
import { train } from "./train.js";
import { evalCommand } from "./eval.js";
import { benchCommand } from "./bench.js";
import { exportCommand } from "./export.js";

async function main(): Promise<void> {
  // `wasmgrad eval | head`: a reader that went away is not an error of ours
  for (const out of [process.stdout, process.stderr]) {
    out.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
  const [command, args] = parse(process.argv.slice(2));
  // Node 20 has the relaxed-SIMD (FMA) build behind a V8 flag: turn it on in this process.
  enableRelaxedSimd();
  try {
    if (command === "train") await train(args);
    else if (command === "eval") await evalCommand(args);
    else if (command === "export") await exportCommand(args);
    else await benchCommand(args, process.argv.slice(2));
  } catch (e) {
    fail((e as Error).message, 1);
  }
}

await main();
