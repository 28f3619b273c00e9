// In-page code for the Chromium tests (passed as source text: the unit tsconfig has no DOM types).

/**
 * Per canvas id, how many pixels are drawn (non-transparent), read through a scratch canvas so the
 * page's own canvases are never read back. Canvases in a `.no-data` card count 0; with
 * `skipHidden`, so do canvases that are not on screen (a hidden tab, a `[hidden]` section).
 */
export function inkedCanvasesScript({ skipHidden = false } = {}): string {
  const hidden = skipHidden ? " || c.closest('[hidden]') || c.offsetParent === null" : '';
  return `(() => {
  const out = {};
  const scratch = document.createElement('canvas');
  for (const c of Array.from(document.querySelectorAll('canvas'))) {
    if (c.width === 0 || c.height === 0 || c.closest('.no-data')${hidden}) { out[c.id] = 0; continue; }
    scratch.width = c.width;
    scratch.height = c.height;
    const ctx = scratch.getContext('2d', { willReadFrequently: true });
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(c, 0, 0);
    const px = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
    out[c.id] = n;
  }
  return out;
})()`;
}
