// The data namespace.
export { readIdx, parseIdx, encodeIdx, gunzip, type IdxArray } from "./idx.js";
export { makeDataset, subset, TensorDataset, type ImageDataset } from "./dataset.js";
export {
  loadMnist,
  findMnist,
  SOURCES,
  FILES,
  cacheRoot,
  type DatasetName,
  type Source,
  type LoadMnistOptions,
  type MnistData,
} from "./mnist.js";
export { DataLoader, type DataLoaderOptions, type Batch, type TargetBatch, type BatchOf } from "./loader.js";
export { DEFAULT_AUGMENT, type AugmentOptions } from "./augment.js";
