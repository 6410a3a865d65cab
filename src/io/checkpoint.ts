// A training run's checkpoint as one safetensors file: every tensor the next
// epoch depends on (the model's state dict, the optimizer's state tensors,
// named groups such as the best epoch's weights) under prefixed names, and
// the rest as JSON in the metadata (step counts and hyperparameters, the
// scheduler, the generator, the caller's own fields such as the epoch). Every
// number goes through float32 tensors or JSON exactly, so a run resumed from
// it repeats the uninterrupted run to the last bit.
import type { Tensor } from "../tensor.js";
import type { OptimizerStateDict } from "../optim/optimizer.js";
import type { SchedulerStateDict } from "../optim/scheduler.js";
import type { RngState } from "../random.js";
import { loadSafetensors, safetensorsMetadata, saveSafetensors } from "./safetensors.js";

export interface Checkpoint {
  /** The model's stateDict(). */
  model: Record<string, Tensor>;
  optimizer?: OptimizerStateDict;
  scheduler?: SchedulerStateDict;
  /** getRngState() at the checkpoint. */
  rng?: RngState;
  /** More named state dicts, such as the weights of the best epoch so far. */
  tensors?: Record<string, Record<string, Tensor>>;
  /** The caller's own JSON fields: the epoch, the best validation error, the run's options. */
  meta?: Record<string, unknown>;
}

const KEY = "wasmgrad.checkpoint";
const VERSION = 1;

interface Header {
  version: number;
  optimizer?: { steps: Record<number, number>; names: Record<number, string[]>; paramGroups: OptimizerStateDict["paramGroups"] };
  scheduler?: SchedulerStateDict;
  rng?: RngState;
  groups: string[];
  meta: Record<string, unknown>;
}

/** The checkpoint as safetensors bytes (write them with an atomic write: the CLI's writeFileAtomic). */
export function saveCheckpoint(c: Checkpoint): Uint8Array {
  if (typeof c?.model !== "object" || c.model === null) throw new TypeError("saveCheckpoint: expected { model: model.stateDict(), ... }");
  const groups = Object.keys(c.tensors ?? {});
  for (const g of groups)
    if (g === "model" || g === "optimizer" || g.includes("/")) throw new Error(`saveCheckpoint: '${g}' cannot name a tensor group`);
  const tensors = new Map<string, Tensor>();
  for (const [k, t] of Object.entries(c.model)) tensors.set(`model/${k}`, t);
  for (const g of groups) for (const [k, t] of Object.entries(c.tensors![g])) tensors.set(`${g}/${k}`, t);
  const header: Header = { version: VERSION, groups, meta: c.meta ?? {} };
  if (c.optimizer) {
    const steps: Record<number, number> = {},
      names: Record<number, string[]> = {};
    for (const [i, { step, ...state }] of Object.entries(c.optimizer.state)) {
      steps[Number(i)] = step;
      names[Number(i)] = Object.keys(state);
      for (const [n, t] of Object.entries(state)) tensors.set(`optimizer/${i}/${n}`, t as Tensor);
    }
    header.optimizer = { steps, names, paramGroups: c.optimizer.paramGroups };
  }
  if (c.scheduler) header.scheduler = c.scheduler;
  if (c.rng) header.rng = c.rng;
  return saveSafetensors(tensors, { [KEY]: JSON.stringify(header) });
}

/** A checkpoint of saveCheckpoint(), its tensors new (the caller disposes them, or loads them into a model and optimizer and then disposes). */
export function loadCheckpoint(bytes: Uint8Array | ArrayBuffer): Checkpoint {
  const text = safetensorsMetadata(bytes)[KEY];
  if (text === undefined)
    throw new Error(
      `loadCheckpoint: not a checkpoint (no '${KEY}' in the safetensors metadata): a weights file loads with loadSafetensors`,
    );
  let header: Header;
  try {
    header = JSON.parse(text) as Header;
  } catch (e) {
    throw new Error(`loadCheckpoint: the checkpoint's '${KEY}' metadata is not JSON (${(e as Error).message})`, { cause: e });
  }
  if (header?.version === VERSION && (!Array.isArray(header.groups) || typeof header.meta !== "object"))
    throw new Error(`loadCheckpoint: the checkpoint's '${KEY}' metadata lacks its groups or meta`);
  if (header?.version !== VERSION)
    throw new Error(`loadCheckpoint: checkpoint version ${String(header.version)}; this wasmgrad reads version ${VERSION}`);
  const all = loadSafetensors(bytes);
  const take = (prefix: string) =>
    Object.fromEntries(
      Object.entries(all)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, t]) => [k.slice(prefix.length), t]),
    );
  const c: Checkpoint = { model: take("model/"), meta: header.meta };
  if (header.groups.length) c.tensors = Object.fromEntries(header.groups.map((g) => [g, take(`${g}/`)]));
  if (header.optimizer) {
    const { steps, names, paramGroups } = header.optimizer;
    const state: OptimizerStateDict["state"] = {};
    for (const [i, step] of Object.entries(steps)) {
      const entry: OptimizerStateDict["state"][number] = { step };
      for (const n of names[Number(i)]) {
        const t = all[`optimizer/${i}/${n}`];
        if (t === undefined) throw new Error(`loadCheckpoint: the optimizer's ${n} of parameter ${i} is missing`);
        entry[n] = t;
      }
      state[Number(i)] = entry;
    }
    c.optimizer = { state, paramGroups };
  }
  if (header.scheduler) c.scheduler = header.scheduler;
  if (header.rng) c.rng = header.rng;
  return c;
}
