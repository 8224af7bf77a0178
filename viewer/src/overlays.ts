// What is drawn over an image: RT Structure Set contours, SEG segments and Grayscale Softcopy
// Presentation States (window and annotations), from the study's other instances.
import { bulkData } from "./api";
import { DicomJson, items, nums, str, num } from "./dicom";
import { Plane, toPixel } from "./geometry";

export interface ImageRef {
  sop: string;
  frame: number;
  plane?: Plane;
  rows: number;
  columns: number;
}

// --- RT Structure Set -------------------------------------------------------------------------
interface Contour { sops: string[]; points: number[]; }
interface Roi { name: string; color: string; contours: Contour[]; }
export class StructureSet {
  rois: Roi[] = [];
  constructor(ds: DicomJson) {
    const names = new Map<number, string>();
    for (const r of items(ds, "30060020")) names.set(num(r, "30060022") ?? -1, str(r, "30060026"));
    for (const rc of items(ds, "30060039")) {
      const rgb = nums(rc, "3006002A");
      const color = rgb.length === 3 ? `rgb(${rgb[0]},${rgb[1]},${rgb[2]})` : "rgb(255,0,0)";
      const contours = items(rc, "30060040").map((c) => ({
        sops: items(c, "30060016").map((i) => str(i, "00081155")),
        points: nums(c, "30060050"),
      }));
      this.rois.push({ name: names.get(num(rc, "30060084") ?? -2) || "ROI", color, contours });
    }
  }

  draw(ctx: CanvasRenderingContext2D, img: ImageRef, scale: number): number {
    let drawn = 0;
    for (const roi of this.rois) {
      ctx.strokeStyle = roi.color;
      ctx.lineWidth = 2 / scale;
      for (const c of roi.contours) {
        const onImage = c.sops.length ? c.sops.includes(img.sop) : false;
        const pts: { x: number; y: number }[] = [];
        let near = true;
        for (let i = 0; i + 2 < c.points.length; i += 3) {
          if (!img.plane) break;
          const p = toPixel([c.points[i], c.points[i + 1], c.points[i + 2]], img.plane);
          near = near && Math.abs(p.distance) < 1.0;
          pts.push(p);
        }
        if (!pts.length || !(onImage || (!c.sops.length && near))) continue;
        ctx.beginPath();
        pts.forEach((p, i) => (i ? ctx.lineTo(p.x + 0.5, p.y + 0.5) : ctx.moveTo(p.x + 0.5, p.y + 0.5)));
        ctx.closePath();
        ctx.stroke();
        drawn++;
      }
    }
    return drawn;
  }
}

// --- Segmentation (binary) ---------------------------------------------------------------------
interface SegFrame { sop: string; segment: number; index: number; }
export class Segmentation {
  frames: SegFrame[] = [];
  colors = new Map<number, number[]>();
  rows: number; columns: number;
  private bits?: Uint8Array;
  constructor(private ds: DicomJson) {
    this.rows = num(ds, "00280010") ?? 0;
    this.columns = num(ds, "00280011") ?? 0;
    const palette = [[255, 64, 64], [64, 255, 64], [64, 128, 255], [255, 200, 0]];
    for (const s of items(ds, "00620002")) {
      const n = num(s, "00620004") ?? 0;
      const lab = nums(s, "0062000D");
      this.colors.set(n, lab.length === 3 ? labToRgb(lab) : palette[(n - 1) % palette.length]);
    }
    items(ds, "52009230").forEach((f, index) => {
      const src = items(items(f, "00089124")[0], "00082112")[0];
      const sop = str(src, "00081155");
      const segment = num(items(f, "0062000A")[0], "0062000B") ?? 1;
      this.frames.push({ sop, segment, index });
    });
  }

  async load(): Promise<void> {
    const uri = this.ds["7FE00010"]?.BulkDataURI;
    if (uri) this.bits = await bulkData(uri);
  }

  draw(ctx: CanvasRenderingContext2D, img: ImageRef): number {
    if (!this.bits || img.rows !== this.rows || img.columns !== this.columns) return 0;
    let drawn = 0;
    const n = this.rows * this.columns;
    for (const f of this.frames.filter((x) => x.sop === img.sop)) {
      const rgb = this.colors.get(f.segment) || [255, 0, 0];
      const layer = new ImageData(this.columns, this.rows);
      for (let i = 0; i < n; i++) {
        const bit = f.index * n + i;  // binary SEG: frames packed bit by bit, LSB first
        if (this.bits[bit >> 3] & (1 << (bit & 7))) {
          layer.data.set([rgb[0], rgb[1], rgb[2], 110], i * 4);
        }
      }
      const c = document.createElement("canvas");
      c.width = this.columns;
      c.height = this.rows;
      c.getContext("2d")!.putImageData(layer, 0, 0);
      ctx.drawImage(c, 0, 0);
      drawn++;
    }
    return drawn;
  }
}

function labToRgb(lab16: number[]): number[] {
  // DICOM scaled CIELab (0..65535) → sRGB.
  const L = (lab16[0] * 100) / 65535, a = (lab16[1] * 255) / 65535 - 128, b = (lab16[2] * 255) / 65535 - 128;
  let y = (L + 16) / 116, x = a / 500 + y, z = y - b / 200;
  const f = (t: number) => (t ** 3 > 0.008856 ? t ** 3 : (t - 16 / 116) / 7.787);
  x = 0.95047 * f(x); y = f(y); z = 1.08883 * f(z);
  const lin = [x * 3.2406 + y * -1.5372 + z * -0.4986, x * -0.9689 + y * 1.8758 + z * 0.0415,
    x * 0.0557 + y * -0.204 + z * 1.057];
  return lin.map((v) => Math.round(255 * Math.min(1, Math.max(0, v > 0.0031308 ? 1.055 * v ** (1 / 2.4) - 0.055 : 12.92 * v))));
}

// --- Grayscale Softcopy Presentation State -----------------------------------------------------
export class PresentationState {
  label: string;
  created: string;
  private refs = new Set<string>();
  constructor(public ds: DicomJson) {
    this.label = str(ds, "00700080") || "GSPS";
    this.created = str(ds, "00700082") + str(ds, "00700083");
    for (const s of items(ds, "00081115")) for (const i of items(s, "00081140")) this.refs.add(str(i, "00081155"));
  }
  appliesTo(sop: string): boolean { return this.refs.has(sop); }

  // The VOI window it sets for this image, if any.
  window(sop: string): { center: number; width: number } | undefined {
    for (const v of items(this.ds, "00283110")) {
      const refs = items(v, "00081140").map((i) => str(i, "00081155"));
      if (refs.length && !refs.includes(sop)) continue;
      const c = num(v, "00281050"), w = num(v, "00281051");
      if (c !== undefined && w !== undefined) return { center: c, width: w };
    }
    return undefined;
  }

  draw(ctx: CanvasRenderingContext2D, img: ImageRef, scale: number): number {
    let drawn = 0;
    ctx.strokeStyle = "rgb(255,255,0)";
    ctx.fillStyle = "rgb(255,255,0)";
    ctx.lineWidth = 1.5 / scale;
    ctx.font = `${14 / scale}px sans-serif`;
    for (const a of items(this.ds, "00700001")) {
      const refs = items(a, "00081140").map((i) => str(i, "00081155"));
      if (refs.length && !refs.includes(img.sop)) continue;
      for (const g of items(a, "00700009")) {
        const d = nums(g, "00700022");
        const type = str(g, "00700023");
        if (str(g, "00700005") === "DISPLAY") continue;  // display units: not drawn in this version
        ctx.beginPath();
        if (type === "CIRCLE" && d.length >= 4) {
          ctx.arc(d[0], d[1], Math.hypot(d[2] - d[0], d[3] - d[1]), 0, 2 * Math.PI);
        } else if (type === "ELLIPSE" && d.length >= 8) {
          const cx = (d[0] + d[2]) / 2, cy = (d[1] + d[3]) / 2;
          ctx.ellipse(cx, cy, Math.hypot(d[2] - d[0], d[3] - d[1]) / 2, Math.hypot(d[6] - d[4], d[7] - d[5]) / 2,
            Math.atan2(d[3] - d[1], d[2] - d[0]), 0, 2 * Math.PI);
        } else if (type === "POINT" && d.length >= 2) {
          ctx.arc(d[0], d[1], 2 / scale, 0, 2 * Math.PI);
        } else {
          for (let i = 0; i + 1 < d.length; i += 2) (i ? ctx.lineTo(d[i], d[i + 1]) : ctx.moveTo(d[i], d[i + 1]));
          if (str(g, "00700024") === "Y") ctx.closePath();
        }
        ctx.stroke();
        drawn++;
      }
      for (const t of items(a, "00700008")) {
        const anchor = nums(t, "00700014").length ? nums(t, "00700014") : nums(t, "00700010");
        if (anchor.length >= 2) {
          ctx.fillText(str(t, "00700006"), anchor[0], anchor[1]);
          drawn++;
        }
      }
    }
    return drawn;
  }
}
