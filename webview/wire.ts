// Non-finite numbers across postMessage. VS Code serialises webview messages as JSON, where NaN
// and ±Infinity silently become null — and a NaN loss or an infinite gradient norm is exactly what
// the panel must show. So the host tags them (`{ $nf: 'NaN' }`) and the panel restores them. The
// message types stay those of protocol.ts; this is only their encoding. Typed arrays pass through
// (VS Code transfers them as buffers). Pure, no imports: used by the host and the panel alike.

export interface NonFiniteTag {
  $nf: 'NaN' | 'Infinity' | '-Infinity';
}

const tag = (v: number): NonFiniteTag => ({ $nf: v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity' });

/** The value with every non-finite number replaced by its tag; parts without one are shared, not copied. */
export function tagNonFinite<T>(value: T): T {
  return walkOut(value) as T;
}

function walkOut(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : tag(v);
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      const y = walkOut(x);
      if (y !== x) (out ??= v.slice())[i] = y;
    }
    return out ?? v;
  }
  let out: Record<string, unknown> | null = null;
  for (const [k, x] of Object.entries(v)) {
    const y = walkOut(x);
    if (y !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
  }
  return out ?? v;
}

const isTag = (v: object): v is NonFiniteTag => {
  const t = (v as { $nf?: unknown }).$nf;
  return (t === 'NaN' || t === 'Infinity' || t === '-Infinity') && Object.keys(v).length === 1;
};

const untag = (t: NonFiniteTag): number => (t.$nf === 'NaN' ? NaN : t.$nf === 'Infinity' ? Infinity : -Infinity);

/** Restores the tagged numbers of a received message, in place (it is a fresh copy from postMessage). */
export function untagNonFinite<T>(value: T): T {
  return walkIn(value) as T;
}

function walkIn(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
  if (isTag(v)) return untag(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i] as unknown;
      if (x !== null && typeof x === 'object') v[i] = walkIn(x);
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = walkIn(x);
  }
  return o;
}
