// The server: QIDO-RS searches, WADO-RS metadata and bulk data, rendered frames. The browser
// supplies the credentials it was given for the page.
import { DicomJson } from "./dicom";

const BASE = "/dicom-web";

async function getJson(url: string): Promise<DicomJson[]> {
  const r = await fetch(url, { headers: { Accept: "application/dicom+json" } });
  if (!r.ok) {
    let msg = `${r.status}`;
    try { msg += ": " + (await r.json()).error; } catch { /* not JSON */ }
    throw new Error(`${url}: ${msg}`);
  }
  return (await r.json()) as DicomJson[];
}

export function searchStudies(params: Record<string, string>): Promise<DicomJson[]> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  q.set("includefield", "00081030,00201208");
  q.set("limit", "200");
  return getJson(`${BASE}/studies?${q}`);
}

export const seriesOf = (study: string) => getJson(`${BASE}/studies/${study}/series?includefield=0008103E`);
export const instancesOf = (study: string) => getJson(`${BASE}/studies/${study}/instances`);
export const seriesMetadata = (study: string, series: string) =>
  getJson(`${BASE}/studies/${study}/series/${series}/metadata`);
export const instanceMetadata = (study: string, series: string, sop: string) =>
  getJson(`${BASE}/studies/${study}/series/${series}/instances/${sop}/metadata`);

// The server's cardiac analysis of a study, if it made one (REST admin API; viewer role).
export interface Analysis {
  state: string;
  message: string;
  results: Record<string, unknown>;
}
export async function analysisOf(study: string): Promise<Analysis | undefined> {
  const r = await fetch(`/api/analyses?study=${encodeURIComponent(study)}`);
  if (!r.ok) return undefined;
  const list = (await r.json()) as Analysis[];
  return list[0];
}

// POST /api/import: a ZIP (media, folders) or one DICOM file into the archive (admin role).
export interface ImportResult {
  stored: number;
  duplicates: number;
  skipped: number;
  failed: number;
  failures: string[];
  studies: { study_instance_uid: string; patient_id: string; instances: number }[];
}
export async function importFile(file: File): Promise<ImportResult> {
  const r = await fetch(`/api/import?name=${encodeURIComponent(file.name)}`, {
    method: "POST", body: file,
    headers: { "Content-Type": file.name.toLowerCase().endsWith(".zip") ? "application/zip" : "application/dicom" },
  });
  let body: (ImportResult & { error?: string }) | undefined;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (r.status === 403) throw new Error(`${file.name}: importing needs the admin role (403)`);
  if (!body || (r.status >= 400 && r.status !== 409)) throw new Error(`${file.name}: ${r.status} ${body?.error ?? ""}`);
  return body;
}

// Modality Performed Procedure Steps the scanners reported (REST, viewer role), newest first.
export interface PerformedStep {
  sop_instance_uid: string;
  status: string;
  patient_id: string;
  accession: string;
  scheduled_step_ids: string;
  calling_aet: string;
  created_ms: number;
  updated_ms: number;
}
export async function performedSteps(): Promise<PerformedStep[]> {
  const r = await fetch("/api/mpps");
  if (!r.ok) return [];
  return (await r.json()) as PerformedStep[];
}

// A patient's radiation dose from the dose reports the archive read (REST, viewer role).
export interface DoseEvent {
  kind: string;
  protocol: string;
  ctdivol_mgy: number | null;
  dlp_mgycm: number | null;
  scan_length_mm: number | null;
  dap_gym2: number | null;
  dose_rp_gy: number | null;
}
export interface PatientDose {
  patient_id: string;
  studies: { study_uid: string; study_date: string; total_dlp_mgycm: number; total_dap_gym2: number;
    events: DoseEvent[] }[];
  cumulative_dlp_mgycm: number;
  cumulative_dap_gym2: number;
  alerts: { study_uid: string; protocol: string; quantity: string; value: number; level: number }[];
}
export async function patientDose(patient: string): Promise<PatientDose> {
  const r = await fetch(`/api/dose?patient=${encodeURIComponent(patient)}`);
  if (!r.ok) throw new Error(`dose of ${patient}: ${r.status}`);
  return (await r.json()) as PatientDose;
}

// Phase-contrast flow of a study, measured by the server (GET: viewer role; POST also stores the
// ROI, SR and PDF in the study: admin).
export interface FlowVessel {
  name: string;
  forward_volume_ml: number;
  backward_volume_ml: number;
  net_volume_ml: number;
  regurgitant_fraction_pct: number;
  peak_velocity_cm_s: number;
  cardiac_output_l_min: number;
  heart_rate_bpm: number;
  flow_ml_s: number[];
  times_ms: number[];
}
export interface FlowResult {
  vessels: FlowVessel[];
  qp_qs: number | null;
  warnings: string[];
  stored?: number;
}
export async function studyFlow(study: string, store: boolean): Promise<FlowResult> {
  const r = await fetch(`/api/studies/${study}/flow`, { method: store ? "POST" : "GET" });
  let body: (FlowResult & { error?: string }) | undefined;
  try { body = await r.json(); } catch { /* not JSON */ }
  if (r.status === 403) throw new Error("storing flow results needs the admin role (403)");
  if (!r.ok || !body) throw new Error(`flow: ${body?.error ?? r.status}`);
  return body;
}

export const studyArchiveUrl = (study: string, media: boolean) =>
  `/api/studies/${study}/archive${media ? "?media=1" : ""}`;

export function instancePath(study: string, series: string, sop: string): string {
  return `${BASE}/studies/${study}/series/${series}/instances/${sop}`;
}

export function renderedUrl(study: string, series: string, sop: string, frame: number,
                            window?: { center: number; width: number }): string {
  let url = `${instancePath(study, series, sop)}/frames/${frame}/rendered?accept=image/png`;
  if (window) url += `&window=${window.center.toFixed(2)},${Math.max(1, window.width).toFixed(2)},linear`;
  return url;
}

export function thumbnailUrl(study: string, series: string, sop: string): string {
  return `${instancePath(study, series, sop)}/thumbnail`;
}

// The bytes of a bulk data URI (a one-part multipart/related answer).
export async function bulkData(uri: string): Promise<Uint8Array> {
  const path = uri.includes("/dicom-web/") ? uri.substring(uri.indexOf("/dicom-web/")) : uri;
  const r = await fetch(path, { headers: { Accept: 'multipart/related; type="application/octet-stream"' } });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  const type = r.headers.get("Content-Type") || "";
  const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
  const body = new Uint8Array(await r.arrayBuffer());
  if (!boundary) return body;
  // Part body: after the first blank line, before the closing delimiter.
  const text = new TextDecoder("latin1").decode(body.subarray(0, Math.min(body.length, 2048)));
  const start = text.indexOf("\r\n\r\n") + 4;
  const end = body.length - (`\r\n--${boundary}--\r\n`).length;
  return body.subarray(start, end);
}
