// Compiles assembly/ into the three builds the loader chooses between.
// One source; ASC_FEATURE_SIMD / ASC_FEATURE_RELAXED_SIMD pick the code paths.
// `--wat` also writes the text form of each build into build/wat/ (for
// reading the code; the package ships only the .wasm files).
import asc from "assemblyscript/asc";
import { mkdirSync } from "node:fs";

const builds = {
  scalar: [],
  simd: ["--enable", "simd"],
  "relaxed-simd": ["--enable", "simd,relaxed-simd"],
};

const wat = process.argv.includes("--wat");
mkdirSync(wat ? "build/wat" : "build", { recursive: true });
for (const [name, features] of Object.entries(builds)) {
  const { error, stderr } = await asc.main([
    "assembly/index.ts",
    "-O3",
    "--noAssert",
    "--runtime",
    "stub", // kernels never allocate: no GC, no heap of AS's own
    "--importMemory", // the TS side creates (and later shares) the memory
    "--noExportMemory",
    "--use",
    "abort=", // no env.abort import: kernels have no asserts
    ...features,
    "-o",
    `build/wasmgrad-${name}.wasm`,
    ...(wat ? ["-t", `build/wat/wasmgrad-${name}.wat`] : []),
  ]);
  if (error) {
    console.error(stderr.toString());
    console.error(`build ${name} failed: ${error.message}`);
    process.exit(1);
  }
  console.log(`build/wasmgrad-${name}.wasm`);
}
