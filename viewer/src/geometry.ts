// Patient coordinates ↔ image pixels (PS3.3 C.7.6.2.1.1), for contours drawn over images.
export interface Plane {
  ipp: number[];       // Image Position (Patient): centre of the first pixel
  row: number[];       // direction of a row (increasing column)
  col: number[];       // direction of a column (increasing row)
  spacing: number[];   // Pixel Spacing: [between rows, between columns]
}

const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: number[], b: number[]) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const cross = (a: number[], b: number[]) =>
  [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

// Pixel coordinates (column, row) of a patient point, and its distance from the plane (mm).
export function toPixel(p: number[], plane: Plane): { x: number; y: number; distance: number } {
  const d = sub(p, plane.ipp);
  return {
    x: dot(d, plane.row) / plane.spacing[1],
    y: dot(d, plane.col) / plane.spacing[0],
    distance: dot(d, cross(plane.row, plane.col)),
  };
}

// Position along the plane normal: orders slices in space.
export function normalPosition(plane: Plane): number {
  return dot(plane.ipp, cross(plane.row, plane.col));
}
