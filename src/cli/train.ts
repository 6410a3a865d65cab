// `wasmgrad train`: a reference model on an MNIST-family dataset, with
// progress, Ctrl-C that stops after the batch (and still saves), and a JSON
// summary on request.
import { init, getBackend, getThreads, manualSeed, memory, fit, evaluate, io } from "../index.js";
import { checkWritable, writeFileAtomic } from "../node/files.js";
import { thousands } from "../format.js";
import { Progress } from "./progress.js";
import { DEFAULT_DATASET, DEFAULT_MODEL, fail, loadData } from "./common.js";
import type { Args } from "./options.js";
import { resume, updateBest, writeCheckpoint, type EpochRecord, type RunState } from "./run-state.js";
import { RECIPES } from "./recipes.js";
import { planTraining, type TrainingPlan } from "../train/recipe.js";

function defaultLr(optimizer: string): number {
  return optimizer === "sgd" ? 0.05 : 0.001;
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export async function train(a: Args): Promise<void> {
  const log = (m: string) => process.stderr.write(m + "\n");
  const status = a.json ? process.stderr : process.stdout;
  const modelName = a.model ?? DEFAULT_MODEL,
    dataset = a.dataset ?? DEFAULT_DATASET;
  for (const [option, file] of [
    ["save", a.save],
    ["checkpoint", a.checkpoint],
  ] as const) {
    if (!file) continue;
    try {
      checkWritable(file);
    } catch (e) {
      fail(`--${option} ${file}: ${(e as Error).message}`);
    }
  }
  await init({ backend: a.backend, build: a.build, threads: a.threads });
  manualSeed(a.seed);
  const { d, train: all, test } = await loadData(dataset, a, log);
  if (a.validation !== undefined && a.validation >= all.count)
    fail(`--validation ${a.validation} must leave images to train on: there are ${all.count}`);
  const plan: TrainingPlan = {
    model: modelName,
    optimizer: a.optimizer,
    lr: a.lr ?? defaultLr(a.optimizer),
    momentum: a.momentum,
    schedule: a.schedule,
    lrDecay: a.lrDecay,
    batchSize: a.batchSize,
    epochs: a.epochs,
    augment: a.augment && a.recipe ? RECIPES[a.recipe].augment : a.augment,
    inputs: a.inputs,
    validation: a.validation ?? 0,
  };
  const {
    model,
    optimizer: opt,
    scheduler: schedule,
    train: trainLoader,
    validation: valLoader,
    fitOptions,
    dispose,
  } = planTraining(plan, all, test);
  // what decides the run's numbers: a checkpoint is resumed only by the same run
  const run = {
    model: modelName,
    dataset,
    optimizer: a.optimizer,
    lr: opt.lr,
    momentum: a.optimizer === "sgd" ? a.momentum : null,
    schedule: a.schedule,
    lrDecay: a.schedule === "exponential" ? a.lrDecay : null,
    batchSize: a.batchSize,
    epochs: a.epochs,
    augment: a.augment,
    recipe: a.recipe ?? null,
    inputs: a.inputs,
    seed: a.seed,
    limit: a.limit ?? null,
    validation: a.validation ?? null,
  };
  const parts = {
    model,
    optimizer: opt,
    scheduler: schedule,
    loader: trainLoader,
    run,
    engine: { backend: getBackend(), threads: getThreads() },
  };
  const state: RunState = a.resume ? resume(a.resume, parts) : { epochs: [], best: null };
  const done = state.epochs.length;
  status.write(
    `training ${modelName} (${thousands(model.numParameters())} parameters) on ${getBackend()}${getThreads() > 1 ? ` x${getThreads()} threads` : ""}, ` +
      `${a.recipe ? `recipe ${a.recipe}: ` : ""}${a.optimizer} lr ${run.lr}${schedule ? ` (${a.schedule})` : ""}, batch ${a.batchSize}, ${a.epochs} epoch(s)${a.augment ? ", augmented" : ""}, seed ${a.seed}` +
      `${valLoader ? `, ${thousands(a.validation!)} images held out for validation` : ""}${done ? `; resumed after epoch ${done} from ${a.resume}` : ""}\n`,
  );

  let stoppedBy: NodeJS.Signals | null = null;
  const stop = new AbortController();
  // The first signal stops after the current batch. Its listeners then go, so
  // a second one meets Node's default action and ends the process at once,
  // even inside the synchronous evaluation or save that follow.
  const onSignal = (signal: NodeJS.Signals) => {
    stoppedBy = signal;
    stop.abort();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.stderr.write(
      `${process.stderr.isTTY ? "\n" : ""}${signal === "SIGINT" ? "Ctrl-C" : signal}: stopping after this batch (again to quit now, without saving)\n`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const t0 = performance.now();
  const epochs: EpochRecord[] = state.epochs;
  const losses: number[] = [];
  let bar: Progress | null = null;
  if (done < a.epochs)
    await fit(model, {
      ...fitOptions,
      epochs: a.epochs - done,
      signal: stop.signal,
      onBatch: (b) => {
        if (b.batch === 1) bar = new Progress(status, `epoch ${done + b.epoch}/${a.epochs}`, trainLoader.length);
        losses.push(b.loss);
        if (!Number.isFinite(b.loss)) {
          bar!.finish();
          fail(`the loss became ${b.loss} at epoch ${done + b.epoch}, batch ${b.batch}: lower the learning rate (--lr)`, 1);
        }
        bar!.update(b.batch, b.seen, b.meanLoss, b.accuracy!, b.samplesPerSecond);
      },
      onEpoch: (e) => {
        bar?.finish();
        const ev = e.test!;
        const val = valLoader ? evaluate(model, valLoader) : null;
        const record: EpochRecord = {
          epoch: done + e.epoch,
          loss: e.loss,
          trainAccuracy: e.accuracy!,
          ...(val && { validationAccuracy: val.accuracy }),
          testAccuracy: ev.accuracy,
          seconds: e.seconds,
          samplesPerSecond: e.samplesPerSecond,
        };
        epochs.push(record);
        updateBest(state, model, record);
        status.write(
          `epoch ${record.epoch}: train loss ${e.loss.toFixed(4)}, train accuracy ${(100 * e.accuracy!).toFixed(2)}%, ` +
            `${val ? `validation error ${(100 * (1 - val.accuracy)).toFixed(2)}%, ` : ""}` +
            `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count}), ${e.seconds.toFixed(1)} s\n`,
        );
        // the state the next epoch starts from: a Ctrl-C in it keeps this one
        if (a.checkpoint) writeCheckpoint(a.checkpoint, parts, state);
      },
    });
  const total = (performance.now() - t0) / 1000;
  if (a.save) {
    try {
      writeFileAtomic(a.save, io.saveSafetensors(model.stateDict(), { model: modelName, dataset, inputs: a.inputs }));
    } catch (e) {
      fail(`cannot save ${a.save}: ${(e as Error).message}`, 1);
    }
    status.write(`saved ${a.save}\n`);
  }
  const last = epochs[epochs.length - 1];
  status.write(
    `${stoppedBy ? "stopped early; " : ""}total ${total.toFixed(1)} s; test accuracy ${last ? (100 * last.testAccuracy).toFixed(2) + "%" : "n/a"}` +
      `${d.sample ? " (on the offline 10k-digit sample, not the full MNIST)" : ""}\n`,
  );
  if (a.json) {
    process.stdout.write(
      JSON.stringify({
        model: modelName,
        dataset,
        sample: d.sample,
        backend: getBackend(),
        threads: getThreads(),
        optimizer: a.optimizer,
        lr: plan.lr,
        schedule: a.schedule,
        batchSize: a.batchSize,
        seed: a.seed,
        augment: a.augment,
        trainImages: all.count - plan.validation,
        validationImages: a.validation ?? 0,
        testImages: test.count,
        epochs,
        ...(state.best && {
          bestValidationEpoch: state.best.epoch,
          testErrorAtBestValidation: 1 - state.best.testAccuracy,
          bestTestError: 1 - Math.max(...epochs.map((x) => x.testAccuracy)),
        }),
        resumedAfter: done || null,
        checkpoint: a.checkpoint ?? null,
        stoppedEarly: stoppedBy !== null,
        seconds: total,
        testAccuracy: last?.testAccuracy ?? null,
        losses,
        saved: a.save ?? null,
        memory: memory(),
      }) + "\n",
    );
  }
  if (state.best) {
    const b = state.best;
    status.write(
      `best validation error ${(100 * (1 - b.validationAccuracy)).toFixed(2)}% at epoch ${b.epoch}: test error there ${(100 * (1 - b.testAccuracy)).toFixed(2)}%` +
        ` (best test error ${(100 * (1 - Math.max(...epochs.map((x) => x.testAccuracy)))).toFixed(2)}%)\n`,
    );
    for (const t of Object.values(b.weights)) t.dispose();
  }
  dispose();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (stoppedBy) process.exitCode = SIGNAL_EXIT[stoppedBy];
}
