// #/dose/PATIENT_ID: a patient's cumulative radiation dose — totals, the running DLP over time, each
// study's irradiation events, and the studies over a configured notification level.
import { PatientDose, patientDose } from "./api";
import { svgCanvas, svgElement } from "./svg";

const fmt = (v: number | null, digits = 1) => (v === null || v === undefined ? "" : v.toFixed(digits));
const date = (d: string) => (d.length === 8 ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);

function cell(tr: HTMLTableRowElement, text: string): void {
  const td = document.createElement("td");
  td.textContent = text;
  tr.appendChild(td);
}

// The cumulative DLP as a step line over the study dates (an SVG: no chart library).
function cumulativeChart(d: PatientDose): SVGSVGElement {
  const w = 480, h = 140, pad = 30;
  const svg = svgCanvas("dose-chart", w, h);
  let total = 0;
  const points: [number, number][] = [[0, 0]];
  d.studies.forEach((s, i) => {
    points.push([i + 1, total]);
    total += s.total_dlp_mgycm;
    points.push([i + 1, total]);
  });
  const n = Math.max(1, d.studies.length), top = Math.max(1, total);
  const x = (i: number) => pad + (i / n) * (w - 2 * pad), y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
  svgElement("polyline", { points: points.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), fill: "none",
    stroke: "#e0a030", "stroke-width": 2 }, svg);
  svgElement("text", { x: pad, y: 14, fill: "currentColor" }, svg,
    `cumulative DLP ${total.toFixed(1)} mGy·cm over ${d.studies.length} studies`);
  return svg;
}

export async function showPatientDose(app: HTMLElement, patient: string, setStatus: (s: string) => void) {
  app.innerHTML = `<p><a href="#/">← Studies</a></p><h2>Radiation dose: <span id="dose-patient"></span></h2>
    <p id="dose-summary"></p><div id="dose-plot"></div>
    <table><thead><tr><th>Study date</th><th>Protocol</th><th>CTDIvol (mGy)</th><th>DLP (mGy·cm)</th>
    <th>Scan length (mm)</th><th>DAP (Gy·m²)</th><th>Dose RP (Gy)</th></tr></thead><tbody id="dose-events"></tbody></table>
    <h3>Over a notification level</h3><table><thead><tr><th>Study</th><th>Protocol</th><th>Quantity</th>
    <th>Value</th><th>Level</th></tr></thead><tbody id="dose-alerts"></tbody></table>`;
  app.querySelector("#dose-patient")!.textContent = patient;
  const d = await patientDose(patient);
  const summary = app.querySelector("#dose-summary")!;
  if (!d.studies.length) {
    summary.textContent = "no dose report of this patient is stored";
    return;
  }
  summary.textContent = `${d.studies.length} studies with dose reports; cumulative DLP ` +
    `${fmt(d.cumulative_dlp_mgycm)} mGy·cm, cumulative DAP ${fmt(d.cumulative_dap_gym2, 4)} Gy·m²`;
  app.querySelector("#dose-plot")!.appendChild(cumulativeChart(d));
  const events = app.querySelector("#dose-events")!;
  for (const s of d.studies) {
    const head = document.createElement("tr");
    head.className = "dose-study";
    cell(head, date(s.study_date));
    cell(head, `study total (${s.events.length} events)`);
    cell(head, "");
    cell(head, fmt(s.total_dlp_mgycm));
    cell(head, "");
    cell(head, fmt(s.total_dap_gym2, 4));
    cell(head, "");
    events.appendChild(head);
    for (const e of s.events) {
      const tr = document.createElement("tr");
      tr.className = "dose-event";
      cell(tr, "");
      cell(tr, e.protocol);
      cell(tr, fmt(e.ctdivol_mgy, 2));
      cell(tr, fmt(e.dlp_mgycm, 2));
      cell(tr, fmt(e.scan_length_mm, 0));
      cell(tr, fmt(e.dap_gym2, 4));
      cell(tr, fmt(e.dose_rp_gy, 3));
      events.appendChild(tr);
    }
  }
  const alerts = app.querySelector("#dose-alerts")!;
  for (const a of d.alerts) {
    const tr = document.createElement("tr");
    tr.className = "dose-alert";
    const study = d.studies.find((s) => s.study_uid === a.study_uid);
    cell(tr, study ? date(study.study_date) : a.study_uid);
    cell(tr, a.protocol);
    cell(tr, a.quantity);
    cell(tr, fmt(a.value, 2));
    cell(tr, fmt(a.level, 2));
    alerts.appendChild(tr);
  }
  setStatus("");
}
