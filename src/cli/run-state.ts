// What `train --checkpoint` writes after every epoch and `--resume` reads:
// the model, optimizer, scheduler, generator and loader order, the epochs so
// far, and the best validation epoch with its weights, in one safetensors
// file (io.saveCheckpoint). A resumed run must be the same run: the options
// that decide its numbers are stored and compared.
import { readFileSync } from "node:fs";
import { getRngState, io, keep, noGrad, setRngState, type nn, type optim, type data, type Tensor } from "../index.js";
import { writeFileAtomic } from "../node/files.js";
import { fail, warn } from "./common.js";

/** An epoch as the summary reports it. */
export interface EpochRecord {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  validationAccuracy?: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

/** The best validation epoch so far, with its test accuracy (the paper's column) and a copy of its weights. */
export interface Best {
  epoch: number;
  validationAccuracy: number;
  testAccuracy: number;
  weights: Record<string, Tensor>;
}

export interface RunState {
  epochs: EpochRecord[];
  best: Best | null;
}

/** Keeps a copy of the model's weights when an epoch validates better than every one before it. */
export function updateBest(state: RunState, model: nn.Module, record: EpochRecord): void {
  if (record.validationAccuracy === undefined || (state.best && record.validationAccuracy <= state.best.validationAccuracy)) return;
  for (const t of Object.values(state.best?.weights ?? {})) t.dispose();
  const weights = noGrad(() => Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, keep(t.clone())])));
  state.best = { epoch: record.epoch, validationAccuracy: record.validationAccuracy, testAccuracy: record.testAccuracy, weights };
}

interface Parts {
  model: nn.Module;
  optimizer: optim.Optimizer;
  scheduler: optim.LRScheduler | null;
  loader: data.DataLoader;
  /** The options that decide the run's numbers. */
  run: Record<string, unknown>;
  /** The build and thread count: another one goes on, but not to the same bits (convolution weight gradients). */
  engine: { backend: string; threads: number };
}

export function writeCheckpoint(file: string, p: Parts, state: RunState): void {
  const { best } = state;
  const bytes = io.saveCheckpoint({
    model: p.model.stateDict(),
    optimizer: p.optimizer.stateDict(),
    scheduler: p.scheduler?.stateDict(),
    rng: getRngState(),
    tensors: best ? { best: best.weights } : undefined,
    meta: {
      run: p.run,
      engine: p.engine,
      epochs: state.epochs,
      loader: p.loader.stateDict(),
      best: best && { epoch: best.epoch, validationAccuracy: best.validationAccuracy, testAccuracy: best.testAccuracy },
    },
  });
  try {
    writeFileAtomic(file, bytes);
  } catch (e) {
    fail(`cannot write the checkpoint ${file}: ${(e as Error).message}`, 1);
  }
}

/** Puts a checkpoint's state into fresh parts of the same run; returns the epochs done and the best so far. */
export function resume(file: string, p: Parts): RunState {
  let c: io.Checkpoint;
  try {
    c = io.loadCheckpoint(new Uint8Array(readFileSync(file)));
  } catch (e) {
    fail(`--resume ${file}: ${(e as Error).message}`);
  }
  const meta = c.meta as {
    run: Record<string, unknown>;
    engine?: Parts["engine"];
    epochs: EpochRecord[];
    loader: { order: number[] };
    best: Omit<Best, "weights"> | null;
  };
  if (meta.engine && (meta.engine.backend !== p.engine.backend || meta.engine.threads !== p.engine.threads)) {
    warn(
      `--resume ${file}: the run began on ${meta.engine.backend} x${meta.engine.threads}, it goes on on ${p.engine.backend} x${p.engine.threads}: ` +
        "the same run, but not to the last bit of an uninterrupted one",
    );
  }
  const dispose = () => [c.model, c.tensors?.best ?? {}].forEach((g) => Object.values(g).forEach((t) => t.dispose()));
  for (const [k, v] of Object.entries(p.run)) {
    if (JSON.stringify(meta.run?.[k]) !== JSON.stringify(v)) {
      dispose();
      fail(
        `--resume ${file}: the checkpoint's run has ${k} ${JSON.stringify(meta.run?.[k])}, this command ${JSON.stringify(v)}: resume with the same options`,
      );
    }
  }
  try {
    p.model.loadStateDict(c.model);
    p.optimizer.loadStateDict(c.optimizer!);
    if (p.scheduler) p.scheduler.loadStateDict(c.scheduler!);
    p.loader.loadStateDict(meta.loader);
    setRngState(c.rng!);
  } catch (e) {
    dispose();
    fail(`--resume ${file}: ${(e as Error).message}`);
  }
  for (const t of Object.values(c.model)) t.dispose();
  for (const t of Object.values(c.optimizer!.state).flatMap((s) => Object.values(s))) if (typeof t !== "number") t.dispose();
  const weights = c.tensors?.best;
  if (weights) for (const t of Object.values(weights)) keep(t);
  return { epochs: meta.epochs, best: meta.best && weights ? { ...meta.best, weights } : null };
}
