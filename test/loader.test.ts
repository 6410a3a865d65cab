// Loading: feature detection picks the best build, every build loads and
// computes, forced builds are honoured, and a broken build falls back.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getBackend, init, supportedBuilds, tensor } from "../src/index.js";

const root = join(import.meta.dirname, "..");

describe("loader", () => {
  it("detects relaxed SIMD under the flag vitest passes", () => {
    expect(supportedBuilds()).toEqual(["relaxed-simd", "simd", "scalar"]);
  });

  it("loads the best build by default and names it", async () => {
    await init();
    expect(getBackend()).toBe("wasm-relaxed-simd");
    await init({ backend: "wasm" });
    expect(getBackend()).toBe("wasm-relaxed-simd");
  });

  it.each(["relaxed-simd", "simd", "scalar"] as const)("loads the %s build on request", async (build) => {
    await init({ build });
    expect(getBackend()).toBe(`wasm-${build}`);
    expect(tensor([[1, 2]]).matmul(tensor([[3], [4]])).item()).toBe(11);
  });

  it("switches to the js backend and back", async () => {
    await init({ backend: "js" });
    expect(getBackend()).toBe("js");
    await init();
    expect(getBackend()).toMatch(/^wasm-/);
  });

  it("falls back to the next build when one does not compile", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wasmgrad-"));
    writeFileSync(join(dir, "wasmgrad-relaxed-simd.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
    copyFileSync(join(root, "build/wasmgrad-simd.wasm"), join(dir, "wasmgrad-simd.wasm"));
    await init({ wasmBase: dir });
    expect(getBackend()).toBe("wasm-simd");
    await expect(init({ wasmBase: dir, build: "scalar" })).rejects.toThrow(/cannot read/);
    await init();
  });

  it("uses the SIMD build in a plain Node 20 process, and says why relaxed SIMD is missing", () => {
    const script = `
      import { init, getBackend } from ${JSON.stringify(join(root, "dist/index.js"))};
      await init();
      const chosen = getBackend();
      let refused = "";
      try { await init({ build: "relaxed-simd" }); } catch (e) { refused = e.message; }
      console.log(JSON.stringify({ chosen, refused }));`;
    const node = process.execPath;
    const major = Number(process.versions.node.split(".")[0]);
    const out = JSON.parse(execFileSync(node, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    if (major < 22) {
      expect(out.chosen).toBe("wasm-simd");
      expect(out.refused).toMatch(/does not support the 'relaxed-simd' build.*--experimental-wasm-relaxed-simd/);
    } else {
      expect(out.chosen).toBe("wasm-relaxed-simd");
    }
  });
});
