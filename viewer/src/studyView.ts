// A study: its series as thumbnails, the image view, and the tag browser of the shown instance.
import { analysisOf, instanceMetadata, instancesOf, seriesMetadata, seriesOf, studyArchiveUrl, thumbnailUrl } from "./api";
import { DicomJson, SOP, str, T, TAG_NAMES } from "./dicom";
import { ImageView, Overlays, PRESETS } from "./imageView";
import { CardiacWorkspace } from "./cardiacWorkspace";
import { addFlowButton } from "./flowPanel";
import { loadMap, showMap } from "./mapView";
import { PresentationState, Segmentation, StructureSet } from "./overlays";

export async function showStudy(app: HTMLElement, study: string, setStatus: (s: string) => void): Promise<void> {
  app.innerHTML = `
    <div class="study-view">
      <div class="left series-list" id="series"></div>
      <div class="center">
        <div class="toolbar">
          <button id="play">Play</button>
          <label>fps <input id="fps" type="number" min="1" max="100" value="20" style="width:4em"></label>
          <button id="prev-slice">Slice −</button><button id="next-slice">Slice +</button>
          <select id="preset"></select>
          <label>GSPS <select id="gsps"></select></label>
          <label><input id="overlays" type="checkbox" checked> overlays</label>
          <button id="zoom-in">+</button><button id="zoom-out">−</button><button id="reset">Reset</button>
          <a id="download" class="button" href="${studyArchiveUrl(study, false)}" download>Download</a>
          <a id="download-media" class="button" href="${studyArchiveUrl(study, true)}" download
             title="a ZIP holding a DICOMDIR file-set: unpack it onto a CD or USB stick">Download for CD/USB</a>
        </div>
        <div class="viewport" id="viewport"><div class="info" id="info"></div></div>
      </div>
      <div class="side"><div id="analysis"></div><div id="workspace"></div><div id="flow-panel"></div><table><tbody id="tags"></tbody></table></div>
    </div>`;
  const $ = <E extends HTMLElement>(id: string) => app.querySelector<E>(`#${id}`)!;

  const [series, instances] = await Promise.all([seriesOf(study), instancesOf(study)]);
  // The study's structure sets, segmentations and presentation states.
  const overlays: Overlays = { structures: [], segmentations: [], states: [] };
  await Promise.all(instances.map(async (i) => {
    const cls = str(i, T.sopClass);
    if (cls !== SOP.rtStruct && cls !== SOP.seg && cls !== SOP.gsps) return;
    const [m] = await instanceMetadata(study, str(i, T.seriesUid), str(i, T.sopUid));
    if (cls === SOP.rtStruct) overlays.structures.push(new StructureSet(m));
    if (cls === SOP.gsps) overlays.states.push(new PresentationState(m));
    if (cls === SOP.seg) {
      const s = new Segmentation(m);
      await s.load();
      overlays.segmentations.push(s);
    }
  }));

  analysisOf(study).then((a) => {
    showAnalysis($("analysis"), a);
    if (a && a.state === "done") {
      // The cardiac workspace: review (everyone), correct, save and sign (editors).
      const review = document.createElement("button");
      review.id = "review";
      review.textContent = "Review contours";
      review.onclick = async () => {
        const sex = str(view.frame()?.meta, "00100040");
        const ws = new CardiacWorkspace($("workspace"), view, study, setStatus, sex);
        (window as unknown as { atriumWorkspace: CardiacWorkspace }).atriumWorkspace = ws;
        try {
          await ws.open();
        } catch (e) {
          setStatus(e instanceof Error ? e.message : String(e));
        }
      };
      $("analysis").appendChild(review);
    }
  }).catch(() => undefined);
  addFlowButton(app.querySelector<HTMLElement>(".toolbar")!, $("flow-panel"), study, setStatus);
  const view = new ImageView($("viewport"), study, overlays, () => update());
  (window as unknown as { atriumViewer: ImageView }).atriumViewer = view;

  const preset = $<HTMLSelectElement>("preset");
  for (const name of Object.keys(PRESETS)) preset.add(new Option(name, name));
  preset.onchange = () => view.setWindow(PRESETS[preset.value]);
  const gsps = $<HTMLSelectElement>("gsps");
  gsps.onchange = () => view.chooseState(gsps.value === "" ? undefined : view.statesForImage()[Number(gsps.value)]);
  $("play").onclick = () => (view.playing ? view.stop() : view.play());
  $<HTMLInputElement>("fps").onchange = (e) => { view.fps = Math.max(1, Number((e.target as HTMLInputElement).value)); };
  $("prev-slice").onclick = () => view.setSlice(view.slice - 1);
  $("next-slice").onclick = () => view.setSlice(view.slice + 1);
  $<HTMLInputElement>("overlays").onchange = (e) => {
    view.showOverlays = (e.target as HTMLInputElement).checked;
    view.draw();
  };
  $("zoom-in").onclick = () => { view.zoom *= 1.25; view.draw(); };
  $("zoom-out").onclick = () => { view.zoom /= 1.25; view.draw(); };
  $("reset").onclick = () => { view.zoom = 1; view.pan = { x: 0, y: 0 }; view.setWindow(undefined); };

  let shownTags = "";
  function update(): void {
    const f = view.frame();
    $("play").textContent = view.playing ? "Pause" : "Play";
    const w = view.win ? ` W ${view.win.width.toFixed(0)} L ${view.win.center.toFixed(0)}` : "";
    $("info").textContent = f
      ? `slice ${view.slice + 1}/${view.slices.length}  phase ${view.phase + 1}/${view.phases()}${w}` +
        (view.gsps ? `  GSPS: ${view.gsps.label}` : "")
      : "no image in this series";
    // The presentation states offered for this image.
    const states = view.statesForImage();
    const options = ["none", ...states.map((s) => `${s.label} ${s.created}`)].join("|");
    if (gsps.dataset.options !== options) {
      gsps.dataset.options = options;
      gsps.innerHTML = "";
      gsps.add(new Option("none", ""));
      states.forEach((s, i) => gsps.add(new Option(`${s.label} ${s.created}`, String(i))));
    }
    gsps.value = view.gsps ? String(states.indexOf(view.gsps)) : "";
    if (f && f.sop !== shownTags) {
      shownTags = f.sop;
      showTags($("tags"), f.meta);
    }
  }

  const list = $("series");
  const firstOf = new Map<string, DicomJson>();
  for (const i of instances) if (!firstOf.has(str(i, T.seriesUid))) firstOf.set(str(i, T.seriesUid), i);
  const open = async (uid: string, el: HTMLElement) => {
    list.querySelectorAll(".series-thumb").forEach((e) => e.classList.remove("active"));
    el.classList.add("active");
    $("viewport").querySelectorAll(".map-view").forEach((e) => e.remove());
    try {
      const meta = await seriesMetadata(study, uid);
      // A relaxation map: its values with a colour scale, not a rendered image.
      if (meta.length && str(meta[0], T.sopClass) === SOP.parametricMap) {
        showMap($("viewport"), await loadMap(meta[0]));
        showTags($("tags"), meta[0]);
        setStatus("");
        return;
      }
      view.setSeries(uid, meta);
      setStatus("");
    } catch (e) {
      setStatus(String(e));
    }
  };
  let firstImage: { uid: string; el: HTMLElement } | undefined;
  for (const s of series) {
    const uid = str(s, T.seriesUid);
    const div = document.createElement("div");
    div.className = "series-thumb";
    div.dataset.uid = uid;
    const inst = firstOf.get(uid);
    // Images have rows; structure sets, reports, presentation states and documents do not (a SEG
    // has rows but is drawn over its images instead).
    const isImage = !!inst && str(inst, T.sopClass) !== SOP.seg && str(inst, T.sopClass) !== SOP.parametricMap &&
      Number(str(inst, T.rows)) > 0;
    if (inst && isImage) {
      const img = document.createElement("img");
      img.src = thumbnailUrl(study, uid, str(inst, T.sopUid));
      img.alt = "";
      div.appendChild(img);
      if (!firstImage) firstImage = { uid, el: div };
    }
    const label = document.createElement("div");
    label.textContent = `${str(s, T.modality)} ${str(s, T.seriesNumber)} ${str(s, T.seriesDescription)} (${str(s, T.instances)})`;
    div.appendChild(label);
    div.onclick = () => open(uid, div);
    list.appendChild(div);
  }
  if (firstImage) await open(firstImage.uid, firstImage.el);

  document.onkeydown = (e) => {
    if (e.key === "ArrowUp") view.setSlice(view.slice - 1);
    if (e.key === "ArrowDown") view.setSlice(view.slice + 1);
    if (e.key === "ArrowRight") view.setPhase(view.phase + 1);
    if (e.key === "ArrowLeft") view.setPhase(view.phase - 1);
    if (e.key === " ") view.playing ? view.stop() : view.play();
  };
}

// The ventricular function the server measured (automatic analysis), above the tag browser.
function showAnalysis(panel: HTMLElement, a?: { state: string; message: string; results: Record<string, unknown> }) {
  if (!a) return;
  panel.className = "analysis";
  if (a.state !== "done") {
    panel.textContent = `Cardiac analysis: ${a.state} (${a.message})`;
    return;
  }
  const r = a.results as Record<string, number>;
  const rows: [string, string][] = [
    ["LV EDV / ESV", `${r.lv_edv_ml} / ${r.lv_esv_ml} ml`], ["LV SV / EF", `${r.lv_sv_ml} ml / ${r.lv_ef_pct} %`],
    ["LV mass", `${r.lv_mass_g} g`], ["RV EDV / ESV", `${r.rv_edv_ml} / ${r.rv_esv_ml} ml`],
    ["RV EF", `${r.rv_ef_pct} %`], ["ED / ES phase", `${r.ed_phase + 1} / ${r.es_phase + 1}`],
  ];
  if (r.heart_rate_bpm) rows.push(["Heart rate / LV CO", `${r.heart_rate_bpm} /min / ${r.lv_co_l_min} l/min`]);
  if (r.lv_ci_l_min_m2) rows.push(["LV cardiac index", `${r.lv_ci_l_min_m2} l/min/m²`]);
  const table = document.createElement("table");
  const caption = document.createElement("caption");
  caption.textContent = `Ventricular function (automatic, ${String(a.results.method ?? "")})`;
  table.appendChild(caption);
  for (const [k, v] of rows) {
    const tr = table.insertRow();
    tr.insertCell().textContent = k;
    tr.insertCell().textContent = v;
  }
  panel.appendChild(table);
  // What the analysis found implausible: the contours are to be reviewed before the numbers are used.
  const warnings = (a.results.warnings as string[] | undefined) ?? [];
  if (warnings.length) {
    const list = document.createElement("ul");
    list.className = "warnings";
    for (const w of warnings) list.appendChild(document.createElement("li")).textContent = `Check: ${w}`;
    panel.appendChild(list);
  }
}

function showTags(body: HTMLElement, meta: DicomJson): void {
  body.innerHTML = "";
  for (const tag of Object.keys(meta).sort()) {
    const a = meta[tag];
    const tr = document.createElement("tr");
    const value = a.BulkDataURI ? "(bulk data)" : a.vr === "SQ" ? `(${(a.Value || []).length} items)`
      : (a.Value || []).map((v) => (typeof v === "object" && v ? (v as Record<string, string>).Alphabetic : String(v))).join("\\");
    for (const text of [`(${tag.substring(0, 4)},${tag.substring(4)})`, TAG_NAMES[tag] || "", a.vr, value]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
}
