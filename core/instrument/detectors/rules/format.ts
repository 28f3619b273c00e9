// Number and name formatting for messages: 3 significant digits, exponents for the extremes.

export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(3)));
  return x.toExponential(2).replace(/\.?0+e/, 'e');
}

export function pct(frac: number): string {
  return `${fmt(frac * 100)}%`;
}

/** 'a', 'b' and 'c' / 'a', 'b', 'c' and 2 more: at most `max` names spelled out. */
export function nameList(names: readonly string[], max = 4): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length > max) return `${q.slice(0, max).join(', ')} and ${q.length - max} more`;
  return `${q.slice(0, -1).join(', ')} and ${q[q.length - 1]}`;
}

export function moduleName(module: string): string {
  return module === '' ? 'the root module' : `module '${module}'`;
}

export function steps(n: number): string {
  return n === 1 ? '1 step' : `${n} consecutive steps`;
}

/** 'at step 3', or 'since step 3 (latest step 9)' once it has been seen again. */
export function when(since: number, step: number): string {
  return since >= step ? `at step ${step}` : `since step ${since} (latest step ${step})`;
}
