import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each worker turns on relaxed SIMD where its Node needs a flag for it
    // (Node 20), so every test runs on all three Wasm builds on every runtime.
    setupFiles: ["./test/helpers/setup.ts"],
    pool: "forks",
    testTimeout: 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
  },
});
