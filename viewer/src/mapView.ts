// A Parametric Map (T1, T2, T2* in ms): its float values drawn with a colour scale, a colour bar
// with the range, and the value under the cursor. The values come as bulk data (Float Pixel Data),
// so what is shown is what was computed, not a rendering of it.
import { bulkData } from "./api";
import { DicomJson, items, num, str } from "./dicom";

const FLOAT_PIXEL_DATA = "7FE00008";

// The same ramp as the server's colour image (mapping/map_writer.cpp).
const STOPS = [[20, 20, 120], [30, 110, 200], [40, 180, 120], [240, 220, 60], [220, 50, 40]];
export function colour(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * 4;
  const i = Math.min(3, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((k) => Math.round(STOPS[i][k] + f * (STOPS[i + 1][k] - STOPS[i][k]))) as [number, number, number];
}

export interface MapInfo {
  label: string;  // "T1", "T2", "T2*"
  unit: string;   // "ms"
  low: number;
  high: number;
  rows: number;
  columns: number;
  values: Float32Array;
}

// What the map's shared functional groups say: the quantity and unit (Real World Value Mapping)
// and the display window (Frame VOI LUT).
export async function loadMap(meta: DicomJson): Promise<MapInfo> {
  const uri = meta[FLOAT_PIXEL_DATA]?.BulkDataURI;
  if (!uri) throw new Error("this Parametric Map has no float pixel data");
  const bytes = await bulkData(uri);
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const shared = items(meta, "52009229")[0];
  const rwvm = items(shared, "00409096")[0];
  const voi = items(shared, "00289132")[0];
  const center = num(voi, "00281050") ?? 1000, width = num(voi, "00281051") ?? 2000;
  return {
    label: str(rwvm, "00409210") || "value", unit: str(items(rwvm, "004008EA")[0], "00080100") || "",
    low: center - width / 2, high: center + width / 2,
    rows: num(meta, "00280010") ?? 0, columns: num(meta, "00280011") ?? 0, values,
  };
}

export function showMap(viewport: HTMLElement, map: MapInfo): void {
  viewport.querySelectorAll(".map-view").forEach((e) => e.remove());
  const box = document.createElement("div");
  box.className = "map-view";
  const canvas = document.createElement("canvas");
  canvas.id = "map-canvas";
  canvas.width = map.columns;
  canvas.height = map.rows;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(map.columns, map.rows);
  for (let i = 0; i < map.values.length; ++i) {
    const v = map.values[i];
    const [r, g, b] = v > 0 ? colour((v - map.low) / (map.high - map.low)) : [0, 0, 0];
    img.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  const bar = document.createElement("div");
  bar.className = "colour-bar";
  bar.id = "colour-bar";
  const ramp = [0, 0.25, 0.5, 0.75, 1].map((t) => `rgb(${colour(1 - t).join(",")}) ${t * 100}%`).join(", ");
  bar.innerHTML = `<span class="high"></span><div class="ramp" style="background: linear-gradient(${ramp})"></div>` +
    `<span class="low"></span>`;
  bar.querySelector(".high")!.textContent = `${map.high.toFixed(0)} ${map.unit}`;
  bar.querySelector(".low")!.textContent = `${map.low.toFixed(0)} ${map.unit}`;
  const readout = document.createElement("div");
  readout.className = "map-value";
  readout.id = "map-value";
  readout.textContent = `${map.label} map: move over it for the value`;
  canvas.onmousemove = (e) => {
    const rect = canvas.getBoundingClientRect();
    const col = Math.floor((e.clientX - rect.left) * map.columns / rect.width);
    const row = Math.floor((e.clientY - rect.top) * map.rows / rect.height);
    if (col < 0 || row < 0 || col >= map.columns || row >= map.rows) return;
    const v = map.values[row * map.columns + col];
    readout.textContent = v > 0 ? `${map.label} ${v.toFixed(0)} ${map.unit} (row ${row}, column ${col})`
      : `no value (row ${row}, column ${col})`;
  };
  box.append(canvas, bar, readout);
  viewport.appendChild(box);
}
