// The benchmark suites as the page runs them, in the page itself or in a
// Worker: our engines (threads where the thread may block and the page is
// cross-origin isolated) and jax-js, through the library's own runner, so the
// report has the shape `npm run bench` writes.
import { bench } from "wasmgrad";
import { jaxContender } from "../../bench/peers/jax.js";
import pkg from "../../package.json";

export interface BenchRequest {
  suites: bench.Suite[];
  quick: boolean;
  peers: boolean;
}

export function runSuites(r: BenchRequest, onProgress: (line: string) => void): Promise<bench.BenchReport> {
  const cores = navigator.hardwareConcurrency || 1;
  const jax = `${pkg.devDependencies["@jax-js/jax"]} (the demo's devDependency)`;
  const contenders = [...bench.ourContenders([...new Set([1, cores])]), ...(r.peers ? [jaxContender(r.quick, jax)] : [])];
  return bench.runBench({ contenders, workloads: bench.workloads({ quick: r.quick, suites: r.suites }), quick: r.quick, onProgress });
}
