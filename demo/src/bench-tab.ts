// The Benchmark tab: the report's tables (the same Markdown `npm run bench`
// writes, shown as HTML) and its two charts (the same Vega-Lite specs), and
// the JSON to download, from a run in this page or in a Worker.
import { bench } from "wasmgrad";
import type { BenchRequest } from "./bench-run.js";

/** The subset of Markdown toMarkdown writes: headings, paragraphs, list items, tables. */
function markdownToHtml(md: string): DocumentFragment {
  const out = document.createDocumentFragment();
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("|")) {
      const table = document.createElement("table");
      const cells = (l: string) =>
        l
          .slice(1, -1)
          .split(" | ")
          .map((c) => c.trim());
      const head = table.createTHead().insertRow();
      for (const c of cells(line)) head.append(Object.assign(document.createElement("th"), { textContent: c }));
      i++; // the --- line
      const body = table.createTBody();
      while (lines[i + 1]?.startsWith("|")) {
        const tr = body.insertRow();
        for (const c of cells(lines[++i])) tr.insertCell().textContent = c;
      }
      out.append(table);
    } else if (line.startsWith("#")) {
      out.append(Object.assign(document.createElement(line.startsWith("## ") ? "h4" : "h3"), { textContent: line.replace(/^#+ /, "") }));
    } else if (line.startsWith("- ")) {
      out.append(Object.assign(document.createElement("li"), { textContent: line.slice(2) }));
    } else if (line.trim()) {
      out.append(Object.assign(document.createElement("p"), { textContent: line.replace(/`/g, "") }));
    }
  }
  return out;
}

export class BenchTab {
  private report: bench.BenchReport | null = null;

  constructor(
    private readonly $: (id: string) => HTMLElement,
    private readonly newWorker: () => Worker,
  ) {
    const isolated = globalThis.crossOriginIsolated === true;
    $("bench-where-note").textContent = isolated
      ? "This page is cross-origin isolated: in a Worker the threaded builds run on every core."
      : "This page is not cross-origin isolated: one thread, in the page or in a Worker.";
    $("bench-run").addEventListener("click", () => void this.run());
    $("bench-download").addEventListener("click", () => this.download());
  }

  private request(): BenchRequest {
    const checked = (id: string) => (this.$(id) as HTMLInputElement).checked;
    const suites = bench.SUITES.filter((s) => checked(`bench-${s}`));
    return { suites, quick: checked("bench-quick"), peers: checked("bench-peers") };
  }

  private async run(): Promise<void> {
    const r = this.request();
    if (r.suites.length === 0) return void (this.$("bench-status").textContent = "choose at least one suite");
    const button = this.$("bench-run") as HTMLButtonElement;
    button.disabled = true;
    const status = (s: string) => (this.$("bench-status").textContent = s);
    const where = (this.$("bench-where") as HTMLSelectElement).value;
    try {
      this.report = where === "worker" ? await this.inWorker(r, status) : await (await import("./bench-run.js")).runSuites(r, status);
      await this.show(this.report);
      status(`done: ${this.report.results.length} measurements`);
      this.$("bench-output").dataset.done = "true";
    } catch (e) {
      status(`error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      button.disabled = false;
    }
  }

  private inWorker(r: BenchRequest, status: (s: string) => void): Promise<bench.BenchReport> {
    const w = this.newWorker();
    return new Promise<bench.BenchReport>((resolve, reject) => {
      w.onmessage = (e: MessageEvent<{ type: string; line?: string; report?: bench.BenchReport; message?: string }>) => {
        if (e.data.type === "progress") status(e.data.line!);
        else if (e.data.type === "report") resolve(e.data.report!);
        else reject(new Error(e.data.message));
      };
      w.postMessage(r);
    }).finally(() => w.terminate());
  }

  private async show(report: bench.BenchReport): Promise<void> {
    this.$("bench-tables").replaceChildren(markdownToHtml(bench.toMarkdown(report, "the demo's Benchmark tab")));
    const { renderSpec } = await import("./bars.js");
    await renderSpec(this.$("bench-speedup"), bench.speedupChart(report));
    if (report.workloads.some((w) => w.suite === "training")) await renderSpec(this.$("bench-training"), bench.trainingChart(report));
    else this.$("bench-training").replaceChildren();
    (this.$("bench-download") as HTMLButtonElement).disabled = false;
  }

  private download(): void {
    if (!this.report) return;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(this.report, null, 1)], { type: "application/json" }));
    a.download = `wasmgrad-bench-${this.report.date.slice(0, 10)}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
