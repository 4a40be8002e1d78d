// Geometry of the Insights charts, drawn as SVG (attributes only: nothing
// a style-src policy has to allow). Pure, so the scale is tested.

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The top of the value axis: the largest value rounded up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceMax(values: readonly number[]): number {
  const max = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  if (max <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Vertical bars, one per value, in a `width` x `height` box with `gap` between them. */
export function columnBars(points: readonly { label: string; value: number }[], width: number, height: number, gap = 4): Bar[] {
  if (points.length === 0) return [];
  const top = niceMax(points.map((p) => p.value));
  const w = Math.max(1, (width - gap * (points.length - 1)) / points.length);
  return points.map((p, i) => {
    const v = Number.isFinite(p.value) && p.value > 0 ? p.value : 0;
    const h = Math.round((v / top) * height * 10) / 10;
    return { label: p.label, value: v, x: Math.round(i * (w + gap) * 10) / 10, y: Math.round((height - h) * 10) / 10, width: Math.round(w * 10) / 10, height: h };
  });
}

/** Horizontal bars (top tools, risk mix): each row `rowHeight` tall, length scaled to `width`. */
export function rowBars(points: readonly { label: string; value: number }[], width: number, rowHeight: number, gap = 6): Bar[] {
  const top = niceMax(points.map((p) => p.value));
  return points.map((p, i) => {
    const v = Number.isFinite(p.value) && p.value > 0 ? p.value : 0;
    return { label: p.label, value: v, x: 0, y: i * (rowHeight + gap), width: Math.round((v / top) * width * 10) / 10, height: rowHeight };
  });
}
