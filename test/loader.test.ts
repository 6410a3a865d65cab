// Loading: feature detection picks the best build, every build loads and
// computes, forced builds are honoured, and a broken build falls back.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getBackend, init, supportedBuilds, tensor } from "../src/index.js";
import { tempDir } from "./helpers/temp.js";

const root = join(import.meta.dirname, "..");

describe("loader", () => {
  const scratch = tempDir();
  it("detects relaxed SIMD (test/helpers/setup.ts turns it on where Node needs a flag)", () => {
    expect(supportedBuilds()).toEqual(["relaxed-simd", "simd", "scalar"]);
  });

  it("enableRelaxedSimd turns relaxed SIMD on in a plain Node process, setting the V8 flag only where it is needed", () => {
    const script = `
      import { supportedBuilds } from ${JSON.stringify(join(root, "dist/index.js"))};
      import { enableRelaxedSimd } from ${JSON.stringify(join(root, "dist/node/relaxed-simd.js"))};
      const before = supportedBuilds();
      const ok = enableRelaxedSimd();
      console.log(JSON.stringify({ before, ok, after: supportedBuilds(), again: enableRelaxedSimd() }));`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(""); // Node 22+ would print "unrecognized flag" had it been set there
    const out = JSON.parse(r.stdout);
    expect([out.ok, out.after, out.again]).toEqual([true, ["relaxed-simd", "simd", "scalar"], true]);
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
    expect(
      tensor([[1, 2]])
        .matmul(tensor([[3], [4]]))
        .item(),
    ).toBe(11);
  });

  it("switches to the js backend and back", async () => {
    await init({ backend: "js" });
    expect(getBackend()).toBe("js");
    await init();
    expect(getBackend()).toMatch(/^wasm-/);
  });

  it("falls back to the next build when one does not compile", async () => {
    const dir = scratch;
    writeFileSync(join(dir, "wasmgrad-relaxed-simd.wasm"), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]));
    copyFileSync(join(root, "build/wasmgrad-simd.wasm"), join(dir, "wasmgrad-simd.wasm"));
    await init({ wasmBase: dir });
    expect(getBackend()).toBe("wasm-simd");
    await expect(init({ wasmBase: dir, build: "scalar" })).rejects.toThrow(/cannot read/);
    await init();
  });

  it("uses the SIMD build in a plain Node 20 process (the best build elsewhere), and says why relaxed SIMD is missing", () => {
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
