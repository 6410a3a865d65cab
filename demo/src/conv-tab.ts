// Classic kernels applied with the library's conv2d (on the page's own
// single-threaded backend), and the lecture's worked example stepped through.
import { nn, tensor, tidy } from "wasmgrad";
import { drawGrey } from "./images.js";

const KERNELS: Record<string, number[]> = {
  "sobel-x": [-1, 0, 1, -2, 0, 2, -1, 0, 1],
  "sobel-y": [-1, -2, -1, 0, 0, 0, 1, 2, 1],
  blur: Array(9).fill(1 / 9),
  // 2 * identity - blur: the centre pixel pushed away from its neighbourhood's mean
  sharpen: Array.from({ length: 9 }, (_, i) => (i === 4 ? 2 : 0) - 1 / 9),
};

/** conv2d of one grey image [h, w] with a k x k kernel and a bias, padded to keep its size. */
function convolve(image: Float32Array, h: number, w: number, kernel: number[], bias: number, padding: number): Float32Array {
  const k = Math.round(Math.sqrt(kernel.length));
  return tidy(() =>
    nn.functional
      .conv2d(tensor(image, { shape: [1, 1, h, w] }), tensor(kernel, { shape: [1, 1, k, k] }), tensor([bias]), { padding })
      .data(),
  );
}

export class ConvTab {
  private image = { pixels: new Float32Array(0), w: 0, h: 0 };
  private readonly inputs: HTMLInputElement[] = [];
  private exStep = -1;

  constructor(private readonly $: (id: string) => HTMLElement) {
    const grid = $("kernel-grid");
    for (let i = 0; i < 9; i++) {
      const input = document.createElement("input");
      input.type = "number";
      input.step = "0.1";
      input.addEventListener("input", () => {
        ($("kernel") as HTMLSelectElement).value = "custom";
        this.render();
      });
      grid.append(input);
      this.inputs.push(input);
    }
    $("kernel").addEventListener("change", () => this.pickKernel());
    $("kernel-bias").addEventListener("input", () => this.render());
    $("conv-image").addEventListener("change", (e) => void this.upload((e.target as HTMLInputElement).files?.[0]));
    $("ex-step").addEventListener("click", () => this.stepExample());
    this.pickKernel();
    this.workedExample();
  }

  /** The drawn digit's pad, halved to 140x140 grey. */
  useDrawing(ink: Float32Array, size: number): void {
    const h = size >> 1;
    const pixels = new Float32Array(h * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < h; x++) {
        const i = 2 * y * size + 2 * x;
        pixels[y * h + x] = (ink[i] + ink[i + 1] + ink[i + size] + ink[i + size + 1]) / 4;
      }
    this.image = { pixels, w: h, h };
    this.render();
  }

  private async upload(file: File | undefined): Promise<void> {
    if (!file) return;
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 280 / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale)),
      h = Math.max(1, Math.round(bitmap.height * scale));
    const c = new OffscreenCanvas(w, h).getContext("2d")!;
    c.drawImage(bitmap, 0, 0, w, h);
    const rgba = c.getImageData(0, 0, w, h).data;
    const pixels = new Float32Array(w * h);
    // luma of sRGB values, ITU-R BT.601 weights
    for (let i = 0; i < w * h; i++) pixels[i] = (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]) / 255;
    this.image = { pixels, w, h };
    this.render();
  }

  private pickKernel(): void {
    const name = (this.$("kernel") as HTMLSelectElement).value;
    const k = KERNELS[name];
    if (k) this.inputs.forEach((input, i) => (input.value = String(+k[i].toFixed(4))));
    this.render();
  }

  private render(): void {
    const { pixels, w, h } = this.image;
    if (w === 0) return;
    const kernel = this.inputs.map((i) => Number(i.value) || 0);
    const out = convolve(pixels, h, w, kernel, Number((this.$("kernel-bias") as HTMLInputElement).value) || 0, 1);
    let lo = Infinity,
      hi = -Infinity;
    for (const v of out) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    drawGrey(this.$("conv-in") as HTMLCanvasElement, pixels, w, h);
    drawGrey(this.$("conv-out") as HTMLCanvasElement, out, w, h, lo, hi);
    this.$("conv-range").textContent = `output ${w}x${h}, from ${lo.toFixed(2)} (black) to ${hi.toFixed(2)} (white)`;
  }

  // the lecture's 5x5 input and 3x3 kernel (no padding, stride 1: a 3x3 output)
  private readonly exInput = [3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1];
  private readonly exKernel = [0, 1, 2, 2, 2, 0, 0, 1, 2];
  private exOutput: Float32Array = new Float32Array(9);

  private workedExample(): void {
    this.exOutput = convolve(Float32Array.from(this.exInput), 5, 5, this.exKernel, 0, 0);
    this.fillTable("ex-input", this.exInput, 5);
    this.fillTable("ex-kernel", this.exKernel, 3);
    this.fillTable("ex-output", Array.from(this.exOutput), 3);
  }

  private fillTable(id: string, values: number[], n: number): void {
    const rows = [];
    for (let r = 0; r < n; r++) {
      const tr = document.createElement("tr");
      for (let c = 0; c < n; c++) {
        const td = document.createElement("td");
        td.textContent = String(values[r * n + c]);
        tr.append(td);
      }
      rows.push(tr);
    }
    this.$(id).replaceChildren(...rows);
  }

  private stepExample(): void {
    this.exStep = (this.exStep + 1) % 9;
    const oy = Math.floor(this.exStep / 3),
      ox = this.exStep % 3;
    const cells = (id: string) => Array.from(this.$(id).querySelectorAll("td"));
    cells("ex-input").forEach((td, i) => {
      const y = Math.floor(i / 5),
        x = i % 5;
      td.className = y >= oy && y < oy + 3 && x >= ox && x < ox + 3 ? "window" : "";
    });
    cells("ex-output").forEach((td, i) => (td.className = i === this.exStep ? "current" : ""));
    const terms = this.exKernel.map((k, i) => `${this.exInput[(oy + Math.floor(i / 3)) * 5 + ox + (i % 3)]}*${k}`);
    this.$("ex-sum").textContent = `output[${oy}][${ox}] = ${terms.join(" + ")} = ${this.exOutput[this.exStep]}`;
  }
}
