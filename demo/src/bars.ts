// Charts by Vega-Lite: the Wasm-vs-JS bars, and the benchmark report's charts (their specs come with the library).
// Loaded on demand: Vega is most of the page's script.
import { compile, type TopLevelSpec } from "vega-lite";
import { parse, View } from "vega";

/** Horizontal bars of labelled values, as SVG. */
export async function barChart(target: HTMLElement, title: string, unit: string, rows: { label: string; value: number }[]): Promise<void> {
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 360,
    data: { values: rows },
    mark: { type: "bar", tooltip: true },
    encoding: {
      y: { field: "label", type: "nominal", sort: null, title: null },
      x: { field: "value", type: "quantitative", title: unit },
    },
  };
  await renderSpec(target, spec);
}

/** Any Vega-Lite spec (the benchmark report's charts among them), as SVG. */
export async function renderSpec(target: HTMLElement, spec: object): Promise<void> {
  const view = new View(parse(compile(spec as TopLevelSpec).spec), { renderer: "svg", container: target, hover: true });
  await view.runAsync();
}
