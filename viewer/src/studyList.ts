// The study list: search by patient, date range, modality and accession (QIDO-RS).
import { importFile, performedSteps, searchStudies } from "./api";
import { str, T } from "./dicom";

export function showStudyList(app: HTMLElement, setStatus: (s: string) => void): void {
  app.innerHTML = `
    <form class="search" id="search">
      <input name="PatientName" placeholder="Patient name (wildcards *)" size="24">
      <input name="PatientID" placeholder="Patient ID" size="12">
      <input name="from" type="date" title="from"> <input name="to" type="date" title="to">
      <input name="ModalitiesInStudy" placeholder="Modality" size="6">
      <input name="AccessionNumber" placeholder="Accession" size="12">
      <button type="submit">Search</button>
      <label class="import" title="a ZIP (a CD or USB stick's files, a downloaded study) or DICOM files">Import
        <input type="file" id="import-file" accept=".zip,.dcm,application/zip,application/dicom" multiple hidden>
      </label>
    </form>
    <table><thead><tr><th>Patient</th><th>ID</th><th>Date</th><th>Modalities</th><th>Accession</th>
    <th>Description</th><th>Images</th><th></th></tr></thead><tbody id="studies"></tbody></table>
    <h3 class="mpps-title">Performed procedure steps (MPPS)</h3>
    <table><thead><tr><th>Patient ID</th><th>Accession</th><th>Scheduled step</th><th>Status</th><th>From</th>
    <th>Updated</th></tr></thead><tbody id="mpps"></tbody></table>`;
  const form = app.querySelector<HTMLFormElement>("#search")!;
  const run = async () => {
    const f = new FormData(form);
    const d = (k: string) => String(f.get(k) || "").replace(/-/g, "");
    const params: Record<string, string> = {
      PatientName: String(f.get("PatientName") || ""), PatientID: String(f.get("PatientID") || ""),
      ModalitiesInStudy: String(f.get("ModalitiesInStudy") || "").toUpperCase(),
      AccessionNumber: String(f.get("AccessionNumber") || ""),
    };
    if (d("from") || d("to")) params.StudyDate = `${d("from")}-${d("to")}`;
    if (params.PatientName && !params.PatientName.includes("*")) params.PatientName += "*";
    try {
      const studies = await searchStudies(params);
      const body = app.querySelector("#studies")!;
      body.innerHTML = "";
      for (const s of studies) {
        const tr = document.createElement("tr");
        tr.className = "study";
        tr.dataset.uid = str(s, T.studyUid);
        const cells = [str(s, T.patientName), str(s, T.patientId), str(s, T.studyDate),
          (s[T.modalities]?.Value || []).join(", "), str(s, T.accession), str(s, T.studyDescription),
          str(s, T.studyInstances)];
        for (const c of cells) {
          const td = document.createElement("td");
          td.textContent = c;
          tr.appendChild(td);
        }
        const dose = document.createElement("a");
        dose.className = "dose-link";
        dose.textContent = "Dose";
        dose.title = "the patient's radiation dose over all studies";
        dose.href = `#/dose/${encodeURIComponent(str(s, T.patientId))}`;
        dose.onclick = (e) => e.stopPropagation();
        const td = document.createElement("td");
        td.appendChild(dose);
        tr.appendChild(td);
        tr.onclick = () => { location.hash = `#/study/${tr.dataset.uid}`; };
        body.appendChild(tr);
      }
      setStatus(studies.length ? "" : "no study matches");
    } catch (e) {
      setStatus(String(e));
    }
  };
  form.onsubmit = (e) => { e.preventDefault(); run(); };
  // What the scanners reported of the steps they performed (newest first).
  performedSteps().then((steps) => {
    const body = app.querySelector("#mpps")!;
    for (const s of steps.slice(0, 50)) {
      const tr = document.createElement("tr");
      tr.className = "mpps";
      for (const c of [s.patient_id, s.accession, s.scheduled_step_ids, s.status, s.calling_aet,
        new Date(s.updated_ms).toLocaleString()]) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }).catch(() => { /* shown empty */ });
  const input = app.querySelector<HTMLInputElement>("#import-file")!;
  input.onchange = async () => {
    const files = Array.from(input.files || []);
    input.value = "";
    let stored = 0, duplicates = 0;
    const failures: string[] = [];
    for (const [i, f] of files.entries()) {
      setStatus(`importing ${f.name} (${i + 1} of ${files.length})…`);
      try {
        const r = await importFile(f);
        stored += r.stored;
        duplicates += r.duplicates;
        failures.push(...r.failures);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
    }
    await run();
    setStatus(`imported ${stored} new, ${duplicates} already there` +
      (failures.length ? `; ${failures.length} failed: ${failures.slice(0, 3).join("; ")}` : ""));
  };
  run();
}
