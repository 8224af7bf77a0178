// The cardiac workspace of a study with an analysis: its versions, the results with normal ranges,
// the volume-time curve with ED and ES, the slice x phase grid of contoured images, and — for
// editors — contour editing (drag a point; the results are measured again by the server, the same
// way `atrium analyze` measures), choosing ED/ES, saving a version and signing it.
import { EditableContour, ImageView } from "./imageView";
import { svgCanvas, svgElement } from "./svg";

// Normal ranges (mean ± 2 SD) of the LV by sex, bSSFP, adults: Kawel-Boehm N, et al. Normal values
// for cardiovascular magnetic resonance in adults and children. J Cardiovasc Magn Reson 2015;17:29
// (the pooled LV values, as tabulated in Cardiovasc Diagn Ther 2020;10(6):1918-1945, Table 3).
const NORMAL: Record<string, Record<"M" | "F", [number, number]>> = {
  lv_edv_ml: { M: [160, 27], F: [132, 23] },
  lv_esv_ml: { M: [54, 14], F: [44, 11] },
  lv_sv_ml: { M: [108, 18], F: [87, 15] },
  lv_ef_pct: { M: [67, 5], F: [67, 5] },
  lv_mass_g: { M: [134, 21], F: [98, 21] },
  lv_edv_index_ml_m2: { M: [81, 12], F: [76, 10] },
  lv_esv_index_ml_m2: { M: [26, 6], F: [24, 5] },
  lv_mass_index_g_m2: { M: [67, 9], F: [61, 10] },
};

interface Contour extends EditableContour {
  sop_instance_uid: string;
  frame: number;
}
interface Version {
  id: number;
  created_by: string;
  created_ms: number;
  signed: boolean;
  signed_by: string;
  replaces: number | null;
  results: Record<string, unknown>;
}

async function json<T>(url: string, init?: RequestInit): Promise<T> {
  const r = await fetch(url, init);
  let body: unknown;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (!r.ok) {
    const msg = (body as { error?: string } | undefined)?.error ?? `${r.status}`;
    throw new Error(r.status === 403 ? `${msg} (403)` : msg);
  }
  return body as T;
}

export class CardiacWorkspace {
  contours: Contour[] = [];
  results: Record<string, unknown> = {};
  version?: Version;
  versions: Version[] = [];
  canEdit = false;
  previews = 0;  // finished previews (for tests)
  structure = "lv_endo";  // what the tools act on
  freehand = false;
  private original: Contour[] = [];  // the version's contours, to bring an excluded slice back
  private sex: "M" | "F" | "" = "";

  constructor(private panel: HTMLElement, private view: ImageView, private study: string,
              private setStatus: (s: string) => void, patientSex: string) {
    this.sex = patientSex === "M" || patientSex === "F" ? patientSex : "";
  }

  async open(): Promise<void> {
    const [me, versions] = await Promise.all([
      json<{ role: string }>("/api/me").catch(() => ({ role: "viewer" })),
      json<Version[]>(`/api/analyses?study=${this.study}`),
    ]);
    this.canEdit = me.role === "editor" || me.role === "admin";
    this.versions = versions.filter((v) => v.id !== undefined);
    if (!this.versions.length) {
      this.panel.textContent = "no analysis version to review";
      return;
    }
    await this.load(this.versions[0].id);
  }

  async load(id: number): Promise<void> {
    const doc = await json<Version & { contours: Contour[] }>(`/api/analyses/${id}`);
    this.version = doc;
    this.results = doc.results;
    this.contours = doc.contours;
    this.original = JSON.parse(JSON.stringify(doc.contours));
    const ws = this;
    this.view.editor = this.canEdit ? {
      contoursOf: (sop, frame) => this.contours.filter((c) => c.sop_instance_uid === sop && c.frame === frame),
      edited: () => this.changed(),
      get freehand() { return ws.freehand; },
      drawn: (points) => this.replaceHere(points),
    } : undefined;
    this.view.draw();
    this.render();
  }

  private changed(): void {
    this.view.draw();
    this.preview().catch((e) => this.setStatus(String(e)));
  }

  private here(): { sop: string; frame: number } | undefined {
    const f = this.view.frame();
    return f ? { sop: f.sop, frame: f.frame } : undefined;
  }

  // Tools on the shown image, for the chosen structure.
  replaceHere(points: number[][]): void {
    const h = this.here();
    if (!h) return;
    this.contours = this.contours.filter((c) => !(c.sop_instance_uid === h.sop && c.frame === h.frame &&
      c.structure === this.structure));
    this.contours.push({ sop_instance_uid: h.sop, frame: h.frame, structure: this.structure, points });
    this.changed();
  }

  deleteHere(): void {
    const h = this.here();
    if (!h) return;
    this.contours = this.contours.filter((c) => !(c.sop_instance_uid === h.sop && c.frame === h.frame &&
      c.structure === this.structure));
    this.changed();
  }

  // The neighbour's outline of the structure (previous phase of this slice, or the same phase of
  // the previous slice) copied onto the shown image.
  copyFrom(neighbour: "phase" | "slice"): void {
    const v = this.view;
    const s = neighbour === "slice" ? v.slice - 1 : v.slice;
    const p = neighbour === "phase" ? (v.phase - 1 + v.phases()) % v.phases() : v.phase;
    const from = v.slices[s]?.[p];
    if (!from) return this.setStatus(`no ${neighbour} to copy from`);
    const source = this.contours.filter((c) => c.sop_instance_uid === from.sop && c.frame === from.frame &&
      c.structure === this.structure);
    if (!source.length) return this.setStatus(`the ${neighbour} before has no ${this.structure} contour`);
    this.replaceHere(source[0].points.map((q) => [...q]));
  }

  // Leave a (basal or apical) slice out of the measurement, or bring its contours back.
  toggleSlice(): void {
    const slice = this.view.slices[this.view.slice] ?? [];
    const keys = new Set(slice.map((f) => `${f.sop}|${f.frame}`));
    const has = this.contours.some((c) => keys.has(`${c.sop_instance_uid}|${c.frame}`));
    this.contours = this.contours.filter((c) => !keys.has(`${c.sop_instance_uid}|${c.frame}`));
    if (!has) this.contours.push(...JSON.parse(JSON.stringify(
      this.original.filter((c) => keys.has(`${c.sop_instance_uid}|${c.frame}`)))));
    this.changed();
  }

  private body(): Record<string, unknown> {
    return { contours: this.contours, ed_phase: this.results.ed_phase, es_phase: this.results.es_phase };
  }

  // The results of the edited contours, measured by the server (nothing stored).
  async preview(): Promise<void> {
    if (!this.version) return;
    this.setStatus("measuring…");
    const r = await json<{ results: Record<string, unknown> }>(`/api/analyses/${this.version.id}/preview`,
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(this.body()) });
    this.results = r.results;
    this.previews++;
    this.setStatus("");
    this.render();
  }

  async save(): Promise<void> {
    if (!this.version) return;
    const v = await json<Version>(`/api/analyses/${this.version.id}`,
      { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(this.body()) });
    this.versions = await json<Version[]>(`/api/analyses?study=${this.study}`);
    this.setStatus(`version ${v.id} saved`);
    await this.load(v.id);
  }

  async sign(): Promise<void> {
    if (!this.version) return;
    await json<Version>(`/api/analyses/${this.version.id}/sign`, { method: "POST" });
    this.versions = await json<Version[]>(`/api/analyses?study=${this.study}`);
    this.setStatus(`version ${this.version.id} signed`);
    await this.load(this.version.id);
  }

  private flag(key: string, value: number): string {
    const ref = this.sex ? NORMAL[key]?.[this.sex] : undefined;
    if (!ref) return "";
    const [mean, sd] = ref, lo = mean - 2 * sd, hi = mean + 2 * sd;
    return value < lo ? `low (${lo}-${hi})` : value > hi ? `high (${lo}-${hi})` : `normal (${lo}-${hi})`;
  }

  render(): void {
    const r = this.results as Record<string, number>;
    const p = this.panel;
    p.innerHTML = "";
    p.className = "workspace";
    const head = document.createElement("div");
    head.id = "ws-version";
    const v = this.version!;
    head.textContent = `Version ${v.id} by ${v.created_by}${v.signed ? `, signed by ${v.signed_by}` : ""}`;
    p.appendChild(head);
    // Results with the normal ranges (by the patient's sex).
    const table = document.createElement("table");
    table.id = "ws-results";
    const rows: [string, string, number | undefined, string][] = [
      ["LV EDV", "lv_edv_ml", r.lv_edv_ml, "ml"], ["LV ESV", "lv_esv_ml", r.lv_esv_ml, "ml"],
      ["LV SV", "lv_sv_ml", r.lv_sv_ml, "ml"], ["LV EF", "lv_ef_pct", r.lv_ef_pct, "%"],
      ["LV mass", "lv_mass_g", r.lv_mass_g, "g"], ["LV EDV index", "lv_edv_index_ml_m2", r.lv_edv_index_ml_m2, "ml/m²"],
      ["LV ESV index", "lv_esv_index_ml_m2", r.lv_esv_index_ml_m2, "ml/m²"],
      ["LV mass index", "lv_mass_index_g_m2", r.lv_mass_index_g_m2, "g/m²"],
      ["RV EDV / ESV", "", undefined, `${r.rv_edv_ml} / ${r.rv_esv_ml} ml`], ["RV EF", "", undefined, `${r.rv_ef_pct} %`],
      ["Heart rate", "", undefined, r.heart_rate_bpm ? `${r.heart_rate_bpm} /min` : "—"],
      ["LV cardiac output", "", undefined, r.lv_co_l_min ? `${r.lv_co_l_min} l/min` : "—"],
      ["LV cardiac index", "", undefined, r.lv_ci_l_min_m2 ? `${r.lv_ci_l_min_m2} l/min/m²` : "—"],
    ];
    for (const [name, key, value, unit] of rows) {
      if (key && value === undefined) continue;
      const tr = table.insertRow();
      tr.dataset.key = key;
      tr.insertCell().textContent = name;
      tr.insertCell().textContent = key ? `${value} ${unit}` : unit;
      tr.insertCell().textContent = key && value !== undefined ? this.flag(key, value) : "";
    }
    p.appendChild(table);
    if (!this.sex) p.appendChild(document.createElement("div")).textContent = "sex unknown: no normal ranges";
    p.appendChild(this.curve(r));
    p.appendChild(this.bullseye((this.results.regional as { segment: number; thickening_pct: number;
      ed_thickness_mm: number }[] | undefined) ?? []));
    p.appendChild(this.grid());
    // ED / ES, save, sign: editors only.
    if (this.canEdit) {
      const bar = document.createElement("div");
      const phases = (this.results.lv_volume_curve_ml as number[] | undefined)?.length ?? 0;
      for (const key of ["ed_phase", "es_phase"]) {
        const label = document.createElement("label");
        label.textContent = key === "ed_phase" ? " ED " : " ES ";
        const sel = document.createElement("select");
        sel.id = `ws-${key}`;
        for (let i = 0; i < phases; i++) sel.add(new Option(String(i + 1), String(i)));
        sel.value = String(this.results[key]);
        sel.onchange = () => { this.results[key] = Number(sel.value); this.preview().catch((e) => this.setStatus(String(e))); };
        label.appendChild(sel);
        bar.appendChild(label);
      }
      const tools = document.createElement("div");
      tools.className = "ws-tools";
      const structure = document.createElement("select");
      structure.id = "ws-structure";
      for (const [v, label] of [["lv_endo", "LV endocardium"], ["lv_epi", "LV epicardium"], ["rv_endo", "RV"]])
        structure.add(new Option(label, v));
      structure.value = this.structure;
      structure.onchange = () => { this.structure = structure.value; };
      const button = (id: string, label: string, action: () => void) => {
        const b = document.createElement("button");
        b.id = id;
        b.textContent = label;
        b.onclick = action;
        return b;
      };
      const free = button("ws-freehand", this.freehand ? "Freehand: on" : "Freehand", () => {
        this.freehand = !this.freehand;
        free.textContent = this.freehand ? "Freehand: on" : "Freehand";
      });
      tools.append(structure, free, button("ws-delete", "Delete", () => this.deleteHere()),
        button("ws-copy-phase", "Copy from previous phase", () => this.copyFrom("phase")),
        button("ws-copy-slice", "Copy from previous slice", () => this.copyFrom("slice")),
        button("ws-toggle-slice", "Exclude / include slice", () => this.toggleSlice()));
      p.appendChild(tools);
      const save = document.createElement("button");
      save.id = "ws-save";
      save.textContent = "Save version";
      save.onclick = () => this.save().catch((e) => this.setStatus(String(e)));
      const sign = document.createElement("button");
      sign.id = "ws-sign";
      sign.textContent = "Sign";
      sign.disabled = v.signed;
      sign.onclick = () => this.sign().catch((e) => this.setStatus(String(e)));
      bar.append(save, sign);
      p.appendChild(bar);
    }
    const list = document.createElement("ul");
    list.id = "ws-versions";
    for (const x of this.versions) {
      const li = document.createElement("li");
      li.textContent = `${x.id}: ${x.created_by}, ${new Date(x.created_ms).toLocaleString()}` +
        (x.signed ? ` — signed by ${x.signed_by}` : "");
      li.onclick = () => this.load(x.id).catch((e) => this.setStatus(String(e)));
      list.appendChild(li);
    }
    p.appendChild(list);
  }

  private curve(r: Record<string, unknown>): SVGSVGElement {
    const w = 300, h = 120, pad = 20;
    const svg = svgCanvas("ws-curve", w, h);
    const lv = (r.lv_volume_curve_ml as number[]) || [], rv = (r.rv_volume_curve_ml as number[]) || [];
    const top = Math.max(1, ...lv, ...rv), n = Math.max(1, lv.length - 1);
    const x = (i: number) => pad + (i / n) * (w - 2 * pad), y = (v: number) => h - pad - (v / top) * (h - 2 * pad);
    ([[lv, "#ff3030"], [rv, "#4080ff"]] as [number[], string][]).forEach(([vals, colour]) => {
      if (!vals.length) return;
      svgElement("polyline", { points: vals.map((v, i) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: colour }, svg);
    });
    for (const [key, label] of [["ed_phase", "ED"], ["es_phase", "ES"]]) {
      const i = Number(r[key]);
      svgElement("line", { x1: x(i), x2: x(i), y1: pad, y2: h - pad, stroke: "#aaa", "stroke-dasharray": "3 2",
        class: `mark-${label}` }, svg);
      svgElement("text", { x: x(i) + 2, y: pad - 4, fill: "currentColor", "font-size": 9 }, svg, label);
    }
    return svg;
  }

  // The AHA 16-segment bull's-eye of systolic thickening (basal ring outside, apex inside; anterior
  // at the top, septum to the left as the segments are numbered).
  private bullseye(regional: { segment: number; thickening_pct: number; ed_thickness_mm: number }[]): SVGSVGElement {
    const svg = svgCanvas("ws-bullseye", 160, 160, "-60 -60 120 120");
    const by = new Map(regional.map((r) => [r.segment, r]));
    const ring = (segments: number[], r0: number, r1: number, start: number) => {
      const n = segments.length, step = (2 * Math.PI) / n;
      segments.forEach((seg, i) => {
        const a0 = start + i * step, a1 = a0 + step;  // anticlockwise on the screen
        const pt = (r: number, a: number) => `${(r * Math.cos(a)).toFixed(2)},${(-r * Math.sin(a)).toFixed(2)}`;
        const t = by.get(seg)?.thickening_pct;
        // Thickening: red under 20 %, yellow to 40 %, green above.
        const fill = t === undefined ? "#333" : t < 20 ? "#c04040" : t < 40 ? "#d0b030" : "#40a050";
        const path = svgElement("path", {
          d: `M${pt(r1, a0)} A${r1},${r1} 0 0 0 ${pt(r1, a1)} L${pt(r0, a1)} ` +
            (r0 > 0 ? `A${r0},${r0} 0 0 1 ${pt(r0, a0)} Z` : "Z"),
          fill, stroke: "#111", class: `aha-${seg}` }, svg);
        svgElement("title", {}, path, t === undefined ? `segment ${seg}: not measured`
          : `segment ${seg}: thickening ${t} %, ED ${by.get(seg)!.ed_thickness_mm} mm`);
      });
    };
    // Six segments from the anterior (top, 60°..120°) going anticlockwise: the septum on the left.
    ring([1, 2, 3, 4, 5, 6], 38, 56, Math.PI / 3);
    ring([7, 8, 9, 10, 11, 12], 20, 38, Math.PI / 3);
    ring([13, 14, 15, 16], 0, 20, Math.PI / 4);
    return svg;
  }

  // Slices x phases of the shown series; a filled cell has contours. A click shows that image.
  private grid(): HTMLTableElement {
    const t = document.createElement("table");
    t.id = "ws-grid";
    const have = new Set(this.contours.map((c) => `${c.sop_instance_uid}|${c.frame}`));
    this.view.slices.forEach((phases, s) => {
      const tr = t.insertRow();
      phases.forEach((f, ph) => {
        const td = tr.insertCell();
        td.className = have.has(`${f.sop}|${f.frame}`) ? "has-contours" : "";
        td.title = `slice ${s + 1}, phase ${ph + 1}`;
        td.onclick = () => { this.view.setSlice(s); this.view.setPhase(ph); };
      });
    });
    return t;
  }
}
