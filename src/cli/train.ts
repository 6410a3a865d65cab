// `wasmgrad train`: a reference model on an MNIST-family dataset, with
// progress, Ctrl-C that stops after the batch (and still saves), and a JSON
// summary on request.
import { init, getBackend, getThreads, manualSeed, memory, fit, optim, io, data, type Tensor } from "../index.js";
import { referenceModel, takesImages } from "../models/reference.js";
import { checkWritable, writeFileAtomic } from "../node/files.js";
import { thousands } from "../format.js";
import { Progress } from "./progress.js";
import { DEFAULT_DATASET, DEFAULT_MODEL, fail, loadData } from "./common.js";
import type { Args } from "./options.js";

function defaultLr(optimizer: string): number {
  return optimizer === "sgd" ? 0.05 : 0.001;
}

function makeOptimizer(a: Args, params: Tensor[]): optim.Optimizer {
  const lr = a.lr ?? defaultLr(a.optimizer);
  switch (a.optimizer) {
    case "sgd":
      return new optim.SGD(params, { lr, momentum: a.momentum });
    case "adam":
      return new optim.Adam(params, { lr });
    case "adamw":
      return new optim.AdamW(params, { lr });
    default:
      return new optim.RMSprop(params, { lr });
  }
}

const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export async function train(a: Args): Promise<void> {
  const log = (m: string) => process.stderr.write(m + "\n");
  const status = a.json ? process.stderr : process.stdout;
  const modelName = a.model ?? DEFAULT_MODEL,
    dataset = a.dataset ?? DEFAULT_DATASET;
  if (a.save) {
    try {
      checkWritable(a.save);
    } catch (e) {
      fail(`--save ${a.save}: ${(e as Error).message}`);
    }
  }
  await init({ backend: a.backend, build: a.build, threads: a.threads });
  manualSeed(a.seed);
  const { d, train, test } = await loadData(dataset, a, log);
  const model = referenceModel(modelName);
  const opt = makeOptimizer(a, model.parameters());
  const flat = !takesImages(modelName);
  const trainLoader = new data.DataLoader(train, { batchSize: a.batchSize, flat, augment: a.augment });
  // the training batch size: evaluation reuses the heap blocks of training
  const testLoader = new data.DataLoader(test, { batchSize: a.batchSize, flat, shuffle: false });
  const schedule = a.schedule === "cosine" ? new optim.CosineAnnealingLR(opt, a.epochs * trainLoader.length) : null;
  status.write(
    `training ${modelName} (${thousands(model.numParameters())} parameters) on ${getBackend()}${getThreads() > 1 ? ` x${getThreads()} threads` : ""}, ` +
      `${a.optimizer} lr ${opt.lr}${schedule ? " (cosine)" : ""}, batch ${a.batchSize}, ${a.epochs} epoch(s)${a.augment ? ", augmented" : ""}, seed ${a.seed}\n`,
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
  const epochs: { epoch: number; loss: number; trainAccuracy: number; testAccuracy: number; seconds: number; samplesPerSecond: number }[] =
    [];
  const losses: number[] = [];
  let bar: Progress | null = null;
  await fit(model, {
    optimizer: opt,
    epochs: a.epochs,
    data: trainLoader,
    scheduler: schedule ?? undefined,
    test: testLoader,
    signal: stop.signal,
    onBatch: (b) => {
      if (b.batch === 1) bar = new Progress(status, `epoch ${b.epoch}/${a.epochs}`, trainLoader.length);
      losses.push(b.loss);
      if (!Number.isFinite(b.loss)) {
        bar!.finish();
        fail(`the loss became ${b.loss} at epoch ${b.epoch}, batch ${b.batch}: lower the learning rate (--lr)`, 1);
      }
      bar!.update(b.batch, b.seen, b.meanLoss, b.accuracy!, b.samplesPerSecond);
    },
    onEpoch: (e) => {
      bar?.finish();
      const ev = e.test!;
      epochs.push({
        epoch: e.epoch,
        loss: e.loss,
        trainAccuracy: e.accuracy!,
        testAccuracy: ev.accuracy,
        seconds: e.seconds,
        samplesPerSecond: e.samplesPerSecond,
      });
      status.write(
        `epoch ${e.epoch}: train loss ${e.loss.toFixed(4)}, train accuracy ${(100 * e.accuracy!).toFixed(2)}%, ` +
          `test accuracy ${(100 * ev.accuracy).toFixed(2)}% (${ev.correct}/${ev.count}), ${e.seconds.toFixed(1)} s\n`,
      );
    },
  });
  const total = (performance.now() - t0) / 1000;
  if (a.save) {
    try {
      writeFileAtomic(a.save, io.saveSafetensors(model.stateDict(), { model: modelName, dataset }));
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
        lr: a.lr ?? defaultLr(a.optimizer),
        schedule: a.schedule,
        batchSize: a.batchSize,
        seed: a.seed,
        augment: a.augment,
        trainImages: train.count,
        testImages: test.count,
        epochs,
        stoppedEarly: stoppedBy !== null,
        seconds: total,
        testAccuracy: last?.testAccuracy ?? null,
        losses,
        saved: a.save ?? null,
        memory: memory(),
      }) + "\n",
    );
  }
  trainLoader.dispose();
  testLoader.dispose();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (stoppedBy) process.exitCode = SIGNAL_EXIT[stoppedBy];
}
