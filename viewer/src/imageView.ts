// The image view: slices × phases of a series, cine playback, window/level by drag and presets,
// zoom and pan, and the overlays of the study drawn in image coordinates.
import { renderedUrl } from "./api";
import { DicomJson, nums, num, str, T } from "./dicom";
import { Plane, normalPosition } from "./geometry";
import { ImageRef, PresentationState, Segmentation, StructureSet } from "./overlays";

export interface Overlays {
  structures: StructureSet[];
  segmentations: Segmentation[];
  states: PresentationState[];
}

// Contours a reader edits (cardiac workspace): drawn instead of the stored structure sets, their
// vertices dragged with the left button; points in image pixel coordinates (pixel centres).
export interface EditableContour {
  structure: string;
  points: number[][];
}
export interface ContourEditor {
  contoursOf(sop: string, frame: number): EditableContour[];
  edited(): void;
  // Freehand: while true a left-button stroke draws a new outline, handed over when released.
  freehand?: boolean;
  drawn?(points: number[][]): void;
}
const EDIT_COLOURS: Record<string, string> = { lv_endo: "#ff3030", lv_epi: "#30e030", rv_endo: "#4080ff" };

interface Frame extends ImageRef {
  series: string;
  meta: DicomJson;
}

type Window = { center: number; width: number };

export const PRESETS: Record<string, Window | undefined> = {
  "Default": undefined, "Soft tissue": { center: 40, width: 400 }, "Lung": { center: -600, width: 1500 },
  "Bone": { center: 300, width: 1500 }, "Brain": { center: 40, width: 80 },
};

export class ImageView {
  slices: Frame[][] = [];
  slice = 0;
  phase = 0;
  win?: Window;
  zoom = 1;
  pan = { x: 0, y: 0 };
  playing = false;
  fps = 20;
  gsps?: PresentationState;    // applied presentation state (undefined: none)
  gspsChosen = false;          // the user picked one (or none): no default any more
  showOverlays = true;
  editor?: ContourEditor;
  // The last drawing's image → canvas transform (device pixels), for hit tests and tests.
  xform = { scale: 1, ox: 0, oy: 0, dpr: 1 };
  // For tests and the status line.
  stats = { framesShown: 0, overlaysDrawn: 0 };

  private canvas: HTMLCanvasElement;
  private ctx: CanvasRenderingContext2D;
  private cache = new Map<string, HTMLImageElement>();
  private timer?: number;
  private current?: HTMLImageElement;
  private onChange: () => void;

  constructor(private viewport: HTMLElement, private study: string, private overlays: Overlays,
              onChange: () => void) {
    this.onChange = onChange;
    this.canvas = document.createElement("canvas");
    this.canvas.id = "image-canvas";
    viewport.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d", { willReadFrequently: true })!;
    new ResizeObserver(() => this.draw()).observe(viewport);
    this.bindMouse();
  }

  // Instances of a series → slices in space, each with its phases in time.
  setSeries(series: string, metadata: DicomJson[]): void {
    this.stop();
    const frames: Frame[] = [];
    for (const m of metadata) {
      const rows = num(m, T.rows), columns = num(m, T.columns);
      if (!rows || !columns) continue;  // not an image (structure sets, reports...)
      const ipp = nums(m, T.ipp), iop = nums(m, T.iop), spacing = nums(m, T.pixelSpacing);
      const plane: Plane | undefined = ipp.length === 3 && iop.length === 6 && spacing.length === 2
        ? { ipp, row: iop.slice(0, 3), col: iop.slice(3), spacing } : undefined;
      const n = num(m, T.frames) ?? 1;
      for (let f = 1; f <= n; f++)
        frames.push({ sop: str(m, T.sopUid), series, frame: f, meta: m, plane, rows, columns });
    }
    const groups = new Map<string, Frame[]>();
    for (const f of frames) {
      const key = (f.meta[T.frames] && (num(f.meta, T.frames) ?? 1) > 1) ? `mf:${f.sop}`
        : f.plane ? normalPosition(f.plane).toFixed(2) : `i:${f.sop}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(f);
    }
    const time = (f: Frame) => (num(f.meta, T.triggerTime) ?? 0) * 1000 + (num(f.meta, T.instanceNumber) ?? 0) + f.frame;
    this.slices = [...groups.values()].map((g) => g.sort((a, b) => time(a) - time(b)));
    this.slices.sort((a, b) => (a[0].plane && b[0].plane ? normalPosition(a[0].plane) - normalPosition(b[0].plane) : 0));
    this.slice = Math.floor(this.slices.length / 2);
    this.phase = 0;
    this.win = undefined;
    this.zoom = 1;
    this.pan = { x: 0, y: 0 };
    this.gspsChosen = false;
    this.cache.clear();
    this.show();
  }

  frame(): Frame | undefined { return this.slices[this.slice]?.[this.phase]; }
  phases(): number { return this.slices[this.slice]?.length ?? 0; }

  // Presentation states that reference the current image, newest first.
  statesForImage(): PresentationState[] {
    const f = this.frame();
    if (!f) return [];
    return this.overlays.states.filter((s) => s.appliesTo(f.sop)).sort((a, b) => b.created.localeCompare(a.created));
  }

  chooseState(state?: PresentationState): void {
    this.gspsChosen = true;
    this.gsps = state;
    this.win = state?.window(this.frame()!.sop);
    this.show();
  }

  setWindow(w?: Window): void {
    this.win = w;
    this.show();
  }

  setSlice(i: number): void {
    if (!this.slices.length) return;
    this.slice = Math.max(0, Math.min(this.slices.length - 1, i));
    this.phase = Math.min(this.phase, this.phases() - 1);
    this.show();
  }

  setPhase(i: number): void {
    const n = this.phases();
    if (!n) return;
    this.phase = ((i % n) + n) % n;
    this.show();
  }

  play(): void {
    if (this.playing || this.phases() < 2) return;
    this.playing = true;
    for (const f of this.slices[this.slice]) this.image(f);  // prefetch the cycle
    const tick = () => {
      this.setPhase(this.phase + 1);
      this.timer = window.setTimeout(tick, 1000 / this.fps);
    };
    this.timer = window.setTimeout(tick, 1000 / this.fps);
    this.onChange();
  }

  stop(): void {
    this.playing = false;
    if (this.timer) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.onChange();
  }

  private baseWindow(): Window {
    const f = this.frame();
    const c = num(f?.meta, T.windowCenter), w = num(f?.meta, T.windowWidth);
    if (c !== undefined && w !== undefined) return { center: c, width: w };
    const bits = num(f?.meta, T.bitsStored) ?? 12;
    return { center: 2 ** (bits - 1), width: 2 ** bits };
  }

  private image(f: Frame): Promise<HTMLImageElement> {
    const url = renderedUrl(this.study, f.series, f.sop, f.frame, this.win);
    const cached = this.cache.get(url);
    if (cached) return Promise.resolve(cached);
    const img = new Image();
    img.src = url;
    this.cache.set(url, img);
    if (this.cache.size > 600) this.cache.delete(this.cache.keys().next().value as string);
    return img.decode().then(() => img);
  }

  // Shows the current frame (with the default presentation state the first time an image has one).
  show(): void {
    const f = this.frame();
    if (!f) return this.draw();
    if (!this.gspsChosen) {
      const newest = this.statesForImage()[0];
      if (newest !== this.gsps) {
        this.gsps = newest;
        if (newest) this.win = newest.window(f.sop) ?? this.win;
      }
    }
    const wanted = renderedUrl(this.study, f.series, f.sop, f.frame, this.win);
    this.image(f).then((img) => {
      if (img.src.endsWith(wanted.substring(wanted.indexOf("/dicom-web")))) {
        this.current = img;
        this.stats.framesShown++;
        this.draw();
      }
    }).catch(() => { /* a newer request replaced it */ });
    this.onChange();
  }

  draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.viewport.clientWidth * dpr));
    const h = Math.max(1, Math.round(this.viewport.clientHeight * dpr));
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, w, h);
    const f = this.frame();
    if (!f || !this.current) return;
    const scale = Math.min(w / f.columns, h / f.rows) * this.zoom;
    this.xform = { scale, ox: (w - f.columns * scale) / 2 + this.pan.x * dpr,
      oy: (h - f.rows * scale) / 2 + this.pan.y * dpr, dpr };
    ctx.setTransform(scale, 0, 0, scale, this.xform.ox, this.xform.oy);
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(this.current, 0, 0, f.columns, f.rows);
    if (!this.showOverlays) return;
    if (this.editor) {
      // Pixel centres are at +0.5 in canvas units (pixel i covers [i, i + 1]).
      let drawn = 0;
      for (const c of this.editor.contoursOf(f.sop, f.frame)) {
        ctx.strokeStyle = EDIT_COLOURS[c.structure] || "#ffff00";
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = 1.5 / scale;
        ctx.beginPath();
        c.points.forEach(([x, y], i) => (i ? ctx.lineTo(x + 0.5, y + 0.5) : ctx.moveTo(x + 0.5, y + 0.5)));
        ctx.closePath();
        ctx.stroke();
        for (const [x, y] of c.points) ctx.fillRect(x + 0.5 - 1.5 / scale, y + 0.5 - 1.5 / scale, 3 / scale, 3 / scale);
        drawn++;
      }
      this.stats.overlaysDrawn = drawn;
      return;
    }
    let n = 0;
    for (const s of this.overlays.segmentations) n += s.draw(ctx, f);
    for (const s of this.overlays.structures) n += s.draw(ctx, f, scale);
    if (this.gsps) n += this.gsps.draw(ctx, f, scale);
    this.stats.overlaysDrawn = n;
  }

  // Image coordinates (pixel centres) of a mouse position.
  toImage(clientX: number, clientY: number): [number, number] {
    const r = this.canvas.getBoundingClientRect(), t = this.xform;
    return [((clientX - r.left) * t.dpr - t.ox) / t.scale - 0.5, ((clientY - r.top) * t.dpr - t.oy) / t.scale - 0.5];
  }

  // Client coordinates of an image point (for tests driving a drag).
  toClient(x: number, y: number): [number, number] {
    const r = this.canvas.getBoundingClientRect(), t = this.xform;
    return [r.left + ((x + 0.5) * t.scale + t.ox) / t.dpr, r.top + ((y + 0.5) * t.scale + t.oy) / t.dpr];
  }

  private bindMouse(): void {
    let drag: { x: number; y: number; mode: "window" | "pan"; base: Window; pan: { x: number; y: number } } | undefined;
    let vertex: number[] | undefined;  // the point being dragged (editing)
    let stroke: number[][] | undefined;  // a freehand outline being drawn
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    this.canvas.addEventListener("mousedown", (e) => {
      const f = this.frame();
      if (this.editor?.freehand && f && e.button === 0) {
        stroke = [this.toImage(e.clientX, e.clientY)];
        return;
      }
      if (this.editor && f && e.button === 0) {
        const [x, y] = this.toImage(e.clientX, e.clientY);
        const reach = 6 * this.xform.dpr / this.xform.scale;  // 6 screen pixels
        let best = reach;
        for (const c of this.editor.contoursOf(f.sop, f.frame))
          for (const p of c.points) {
            const d = Math.hypot(p[0] - x, p[1] - y);
            if (d < best) { best = d; vertex = p; }
          }
        if (vertex) return;
      }
      drag = { x: e.clientX, y: e.clientY, mode: e.button === 0 && !e.shiftKey ? "window" : "pan",
        base: this.win ?? this.baseWindow(), pan: { ...this.pan } };
    });
    window.addEventListener("mouseup", () => {
      drag = undefined;
      if (stroke) {
        const points = stroke;
        stroke = undefined;
        if (points.length >= 3) this.editor?.drawn?.(points);
        return;
      }
      if (vertex) {
        vertex = undefined;
        this.editor?.edited();
      }
    });
    window.addEventListener("mousemove", (e) => {
      if (stroke) {
        const [x, y] = this.toImage(e.clientX, e.clientY);
        const last = stroke[stroke.length - 1];
        if (Math.hypot(x - last[0], y - last[1]) >= 1) stroke.push([Math.round(x * 100) / 100, Math.round(y * 100) / 100]);
        this.draw();
        const ctx = this.ctx, t = this.xform;
        ctx.setTransform(t.scale, 0, 0, t.scale, t.ox, t.oy);
        ctx.strokeStyle = "#ffff00";
        ctx.lineWidth = 1.5 / t.scale;
        ctx.beginPath();
        stroke.forEach(([px, py], i) => (i ? ctx.lineTo(px + 0.5, py + 0.5) : ctx.moveTo(px + 0.5, py + 0.5)));
        ctx.stroke();
        return;
      }
      if (vertex) {
        const f = this.frame();
        const [x, y] = this.toImage(e.clientX, e.clientY);
        if (f) {
          vertex[0] = Math.min(f.columns - 0.5, Math.max(-0.5, Math.round(x * 100) / 100));
          vertex[1] = Math.min(f.rows - 0.5, Math.max(-0.5, Math.round(y * 100) / 100));
        }
        this.draw();
        return;
      }
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (drag.mode === "pan") {
        this.pan = { x: drag.pan.x + dx, y: drag.pan.y + dy };
        this.draw();
      } else {
        const k = Math.max(drag.base.width, 10) / 300;
        this.win = { center: drag.base.center - dy * k, width: Math.max(1, drag.base.width + dx * k) };
        this.show();
      }
    });
    this.canvas.addEventListener("wheel", (e) => {
      e.preventDefault();
      if (e.ctrlKey) {
        this.zoom = Math.max(0.25, Math.min(16, this.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
        this.draw();
      } else {
        this.setSlice(this.slice + (e.deltaY > 0 ? 1 : -1));
      }
    }, { passive: false });
  }
}
