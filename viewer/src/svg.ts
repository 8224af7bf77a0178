// Small SVG charts without a chart library: an element with its attributes, a canvas.

const NS = "http://www.w3.org/2000/svg";

// An SVG element with these attributes (and text, when given), appended to parent when given.
export function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Record<string, string | number>, parent?: Element, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  if (parent) parent.appendChild(el);
  return el;
}

// A chart's canvas: its id, the view box (w × h from 0, 0 unless given) and its size on the page.
export function svgCanvas(id: string, width: number, height: number, viewBox = `0 0 ${width} ${height}`): SVGSVGElement {
  return svgElement("svg", { id, viewBox, width, height });
}
