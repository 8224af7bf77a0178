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
    ctx.setTransform(scale, 0, 0, scale, (w - f.columns * scale) / 2 + this.pan.x * dpr,
      (h - f.rows * scale) / 2 + this.pan.y * dpr);
    ctx.imageSmoothingEnabled = scale < 1;
    ctx.drawImage(this.current, 0, 0, f.columns, f.rows);
    if (!this.showOverlays) return;
    let n = 0;
    for (const s of this.overlays.segmentations) n += s.draw(ctx, f);
    for (const s of this.overlays.structures) n += s.draw(ctx, f, scale);
    if (this.gsps) n += this.gsps.draw(ctx, f, scale);
    this.stats.overlaysDrawn = n;
  }

  private bindMouse(): void {
    let drag: { x: number; y: number; mode: "window" | "pan"; base: Window; pan: { x: number; y: number } } | undefined;
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    this.canvas.addEventListener("mousedown", (e) => {
      drag = { x: e.clientX, y: e.clientY, mode: e.button === 0 && !e.shiftKey ? "window" : "pan",
        base: this.win ?? this.baseWindow(), pan: { ...this.pan } };
    });
    window.addEventListener("mouseup", () => { drag = undefined; });
    window.addEventListener("mousemove", (e) => {
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
