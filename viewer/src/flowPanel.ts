// The flow panel of a study: the server's phase-contrast measurement per vessel (volumes,
// regurgitant fraction, peak velocity, cardiac output, Qp/Qs) and the flow curves.
import { FlowResult, studyFlow } from "./api";
import { svgCanvas, svgElement } from "./svg";

const COLOURS = ["#e05050", "#4090ff", "#e0c000"];

function curves(r: FlowResult): SVGSVGElement {
  const w = 300, h = 140, pad = 24;
  const svg = svgCanvas("flow-curves", w, h);
  const all = r.vessels.flatMap((v) => v.flow_ml_s);
  const hi = Math.max(1, ...all), lo = Math.min(0, ...all);
  const y = (q: number) => h - pad - ((q - lo) / (hi - lo)) * (h - 2 * pad);
  svgElement("line", { x1: pad, x2: w - 4, y1: y(0), y2: y(0), stroke: "#777" }, svg);
  r.vessels.forEach((v, k) => {
    const n = Math.max(1, v.flow_ml_s.length - 1);
    svgElement("polyline", { points: v.flow_ml_s.map((q, i) => `${pad + (i / n) * (w - pad - 4)},${y(q)}`).join(" "),
      fill: "none", stroke: COLOURS[k % COLOURS.length], "stroke-width": 2 }, svg);
  });
  svgElement("text", { x: pad, y: 12, fill: "currentColor", "font-size": 10 }, svg,
    `flow (ml/s), ${lo.toFixed(0)} to ${hi.toFixed(0)}`);
  return svg;
}

function show(panel: HTMLElement, r: FlowResult, study: string, setStatus: (s: string) => void): void {
  panel.innerHTML = "";
  const table = document.createElement("table");
  table.id = "flow-table";
  const caption = document.createElement("caption");
  caption.textContent = "Phase-contrast flow (automatic)";
  table.appendChild(caption);
  r.vessels.forEach((v, k) => {
    const rows: [string, string][] = [
      [v.name, ""], ["forward / backward", `${v.forward_volume_ml} / ${v.backward_volume_ml} ml`],
      ["net", `${v.net_volume_ml} ml`], ["regurgitant fraction", `${v.regurgitant_fraction_pct} %`],
      ["peak velocity", `${v.peak_velocity_cm_s} cm/s`], ["cardiac output", `${v.cardiac_output_l_min} l/min`],
    ];
    for (const [a, b] of rows) {
      const tr = table.insertRow();
      tr.className = "flow-row";
      tr.insertCell().textContent = a;
      tr.insertCell().textContent = b;
      if (!b) tr.style.color = COLOURS[k % COLOURS.length];
    }
  });
  if (r.qp_qs !== null) {
    const tr = table.insertRow();
    tr.insertCell().textContent = "Qp/Qs";
    tr.insertCell().textContent = String(r.qp_qs);
  }
  panel.appendChild(table);
  panel.appendChild(curves(r));
  for (const w of r.warnings) panel.appendChild(document.createElement("div")).textContent = `Check: ${w}`;
  const store = document.createElement("button");
  store.id = "flow-store";
  store.textContent = "Store ROI, SR and report in the study";
  store.onclick = async () => {
    try {
      const s = await studyFlow(study, true);
      setStatus(`flow results stored (${s.stored} objects); reload the study to see the ROI`);
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };
  panel.appendChild(store);
}

export function addFlowButton(toolbar: HTMLElement, panel: HTMLElement, study: string, setStatus: (s: string) => void) {
  const button = document.createElement("button");
  button.id = "flow";
  button.textContent = "Flow";
  button.title = "measure phase-contrast flow in this study";
  button.onclick = async () => {
    setStatus("measuring flow…");
    try {
      show(panel, await studyFlow(study, false), study, setStatus);
      setStatus("");
    } catch (e) {
      panel.innerHTML = "";
      setStatus(e instanceof Error ? e.message : String(e));
    }
  };
  toolbar.appendChild(button);
}
