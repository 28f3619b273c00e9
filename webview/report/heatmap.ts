// Draws a histogram-over-time heatmap on a plain canvas (chart.js has no heatmap type):
// columns are steps, rows value bins (low values at the bottom), opacity the count on a sqrt
// scale so sparse bins stay visible next to a dense peak.

import { formatNumber, type HeatmapData } from '../charts/transform';

export interface HeatmapColors {
  fg: string;
  accent: string;
  bg: string;
  /** Marks the columns holding NaN or ±Inf. */
  bad: string;
}

const PAD = { left: 72, right: 12, top: 22, bottom: 36 };

/** Draws the heatmap; returns the number of cells drawn. */
export function drawHeatmap(canvas: HTMLCanvasElement, h: HeatmapData, colors: HeatmapColors): number {
  const box = canvas.parentElement!.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(200, Math.floor(box.width));
  const height = Math.max(120, Math.floor(box.height));
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (ctx === null) return 0;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = colors.fg;

  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const cols = h.steps.length;
  if (cols === 0 || (h.max === 0 && h.nonFinite.every((n) => n === 0))) {
    ctx.fillText('No values to show.', PAD.left, PAD.top + 20);
    return 0;
  }
  const cw = plotW / cols;
  const rh = plotH / h.rows;
  ctx.fillStyle = colors.accent;
  let drawn = 0;
  for (let c = 0; c < cols; c++) {
    const counts = h.counts[c]!;
    for (let r = 0; r < h.rows; r++) {
      const v = counts[r]!;
      if (v === 0) continue;
      ctx.globalAlpha = 0.12 + 0.88 * Math.sqrt(v / h.max);
      // Row 0 (lowest values) at the bottom.
      ctx.fillRect(PAD.left + c * cw, PAD.top + (h.rows - 1 - r) * rh, Math.ceil(cw), Math.ceil(rh));
      drawn++;
    }
  }
  ctx.globalAlpha = 1;
  // Non-finite values have no row: a band above the plot marks the steps that held any.
  ctx.fillStyle = colors.bad;
  for (let c = 0; c < cols; c++) if (h.nonFinite[c]! > 0) ctx.fillRect(PAD.left + c * cw, 4, Math.ceil(cw), PAD.top - 10);
  if (h.nonFinite.some((n) => n > 0)) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('NaN/Inf', PAD.left - 6, 4 + (PAD.top - 10) / 2);
  }
  ctx.strokeStyle = colors.fg;
  ctx.globalAlpha = 0.4;
  ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, plotW, plotH);
  ctx.globalAlpha = 1;

  ctx.fillStyle = colors.fg;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  const yTicks = 4;
  for (let i = 0; i <= yTicks; i++) {
    const raw = h.lo + ((h.hi - h.lo) * i) / yTicks;
    // Rounding leaves a tick meant to be 0 at 1e-8-ish: snap it.
    const v = Math.abs(raw) < (h.hi - h.lo) * 1e-6 ? 0 : raw;
    ctx.fillText(formatNumber(v), PAD.left - 6, PAD.top + plotH - (plotH * i) / yTicks);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  const every = Math.max(1, Math.ceil(cols / Math.max(1, Math.floor(plotW / 48))));
  for (let c = 0; c < cols; c += every) ctx.fillText(String(h.steps[c]), PAD.left + (c + 0.5) * cw, PAD.top + plotH + 4);
  ctx.fillText('step', PAD.left + plotW / 2, PAD.top + plotH + 20);
  return drawn;
}
