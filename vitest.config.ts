import { existsSync } from "node:fs";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { playwright } from "@vitest/browser-playwright";
// Debian's Chromium (no browser download), with the flags that work on this machine as root
import { CHROMIUM as chromium, CHROMIUM_ARGS as args } from "./test/helpers/chromium.js";

/** The tests that need no Node API: they run in Node and again in headless Chromium, on every backend. */
const PORTABLE = [
  "autograd",
  "conv",
  "errors",
  "gemm",
  "gradcheck",
  "heap",
  "layout",
  "loss",
  "module",
  "memory",
  "ops",
  "optim",
  "parity",
  "properties",
  "resume",
  "safetensors",
  "tensor",
  "torch",
  "train",
].map((name) => `test/${name}.test.ts`);

const browserSuite: TestProjectInlineConfiguration = {
  test: {
    name: "chromium",
    include: PORTABLE,
    testTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: chromium, args } }),
      instances: [{ browser: "chromium" }],
    },
  },
};
// Without a browser (or with WASMGRAD_BROWSER=0) the suite is not run, and the summary says so (test/helpers/summary-reporter.ts).
const runBrowser = existsSync(chromium) && process.env.WASMGRAD_BROWSER !== "0";
if (!existsSync(chromium))
  process.env.WASMGRAD_BROWSER_SUITE = `not run: needs Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`;
else if (!runBrowser) process.env.WASMGRAD_BROWSER_SUITE = "not run: WASMGRAD_BROWSER=0";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          // Each worker turns on relaxed SIMD where its Node needs a flag for it
          // (Node 20), so every test runs on all three Wasm builds on every runtime.
          setupFiles: ["./test/helpers/setup.ts"],
          pool: "forks",
          testTimeout: 60_000,
        },
      },
      ...(runBrowser ? [browserSuite] : []),
    ],
  },
});
