// Step records cross from the worker to the main thread packed into one Float64Array and a
// short string table per batch. postMessage's structured clone of a StepRecord (a few dozen small
// objects) measured ~47 µs, about 2% of the benchmark MLP's step, paid on the training thread;
// packing costs a few µs and the decoding runs on the main thread. decodeSteps(encodeSteps(r))
// gives back records deep-equal to r (NaN, ±Inf, null and absent fields included).

import type { TensorStats } from '../instrument/stats';
import type { ActivationOp, ParamStep, StepRecord } from '../instrument/records';
import type { RunEvent } from '../instrument/events';

export interface PackedSteps {
  count: number;
  numbers: Float64Array;
  strings: string[];
}

/** The fields of a TensorStats, in packing order. */
const STATS_KEYS = ['count', 'norm', 'mean', 'std', 'min', 'max', 'meanAbs', 'maxAbs', 'zeroFrac', 'nanCount', 'infCount', 'fp16BelowNormal', 'fp16BelowSubnormal'] as const satisfies readonly (keyof TensorStats)[];

// Flags of a record and of a parameter row: which optional fields are present or null.
const LOSS_NULL = 1, LR_NULL = 2, DETAIL_SET = 4, DETAIL_TRUE = 8;
const GRAD_NULL = 1, RATIO_NULL = 2, NDIM_SET = 4, RG_SET = 8, RG_TRUE = 16;
const SAT_NULL = 1;

class Writer {
  private buf = new Float64Array(1024);
  length = 0;
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  num(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  str(s: string): void {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    this.num(i);
  }

  stats(s: TensorStats): void {
    for (const k of STATS_KEYS) this.num(s[k]);
  }

  numbers(): Float64Array {
    return this.buf.slice(0, this.length);
  }
}

export function encodeSteps(records: readonly StepRecord[]): PackedSteps {
  const w = new Writer();
  for (const r of records) {
    const flags = (r.loss === null ? LOSS_NULL : 0) | (r.lr === null ? LR_NULL : 0) | (r.detail !== undefined ? DETAIL_SET : 0) | (r.detail === true ? DETAIL_TRUE : 0);
    w.num(flags);
    w.num(r.step);
    w.num(r.loss ?? 0);
    w.num(r.gradNorm);
    w.num(r.lr ?? 0);
    w.num(r.params.length);
    for (const p of r.params) encodeParam(w, p);
    w.num(r.activations.length);
    for (const a of r.activations) {
      w.str(a.key);
      w.str(a.module);
      w.str(a.op);
      w.num(a.deadFrac);
      w.num(a.saturatedFrac === null ? SAT_NULL : 0);
      w.num(a.saturatedFrac ?? 0);
      w.num(a.units);
    }
    w.num(r.bptt.length);
    for (const b of r.bptt) {
      w.str(b.module);
      w.num(b.layer);
      w.num(b.norms.length);
      for (const n of b.norms) w.num(n);
    }
  }
  return { count: records.length, numbers: w.numbers(), strings: w.strings };
}

function encodeParam(w: Writer, p: ParamStep): void {
  const flags = (p.grad === null ? GRAD_NULL : 0) | (p.updateRatio === null ? RATIO_NULL : 0) | (p.ndim !== undefined ? NDIM_SET : 0)
    | (p.requiresGrad !== undefined ? RG_SET : 0) | (p.requiresGrad === true ? RG_TRUE : 0);
  w.num(flags);
  w.str(p.name);
  w.str(p.module);
  w.num(p.ndim ?? 0);
  w.num(p.updateRatio ?? 0);
  w.stats(p.weight);
  if (p.grad !== null) w.stats(p.grad);
}

export function decodeSteps(packed: PackedSteps): StepRecord[] {
  const { numbers: n, strings } = packed;
  let at = 0;
  const num = (): number => n[at++]!;
  const str = (): string => strings[n[at++]!]!;
  const stats = (): TensorStats => {
    const s = {} as Record<(typeof STATS_KEYS)[number], number>;
    for (const k of STATS_KEYS) s[k] = num();
    return s;
  };
  const out: StepRecord[] = [];
  for (let r = 0; r < packed.count; r++) {
    const flags = num();
    const step = num();
    const loss = num();
    const gradNorm = num();
    const lr = num();
    const params: ParamStep[] = [];
    for (let i = num(); i > 0; i--) {
      const pf = num();
      const name = str();
      const module = str();
      const ndim = num();
      const updateRatio = num();
      const weight = stats();
      const grad = pf & GRAD_NULL ? null : stats();
      const row: ParamStep = { name, module, grad, weight, updateRatio: pf & RATIO_NULL ? null : updateRatio };
      if (pf & NDIM_SET) row.ndim = ndim;
      if (pf & RG_SET) row.requiresGrad = (pf & RG_TRUE) !== 0;
      params.push(row);
    }
    const activations: StepRecord['activations'] = [];
    for (let i = num(); i > 0; i--) {
      const key = str();
      const module = str();
      const op = str() as ActivationOp;
      const deadFrac = num();
      const satNull = num();
      const sat = num();
      const units = num();
      activations.push({ key, module, op, deadFrac, saturatedFrac: satNull & SAT_NULL ? null : sat, units });
    }
    const bptt: StepRecord['bptt'] = [];
    for (let i = num(); i > 0; i--) {
      const module = str();
      const layer = num();
      const norms: number[] = [];
      for (let k = num(); k > 0; k--) norms.push(num());
      bptt.push({ module, layer, norms });
    }
    const record: StepRecord = { step, loss: flags & LOSS_NULL ? null : loss, gradNorm, lr: flags & LR_NULL ? null : lr, params, activations, bptt };
    if (flags & DETAIL_SET) record.detail = (flags & DETAIL_TRUE) !== 0;
    out.push(record);
  }
  return out;
}

/** A batch of events as it crosses threads: runs of consecutive step events packed, the rest as they are. */
export type WireEvent = RunEvent | { type: 'packedSteps'; packed: PackedSteps };

export function packEvents(events: readonly RunEvent[]): WireEvent[] {
  const out: WireEvent[] = [];
  let run: StepRecord[] = [];
  const close = (): void => {
    if (run.length > 0) out.push({ type: 'packedSteps', packed: encodeSteps(run) });
    run = [];
  };
  for (const e of events) {
    if (e.type === 'step') run.push(e.record);
    else {
      close();
      out.push(e);
    }
  }
  close();
  return out;
}

export function unpackEvents(wire: readonly WireEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  for (const e of wire) {
    if (e.type === 'packedSteps') for (const record of decodeSteps(e.packed)) out.push({ type: 'step', record });
    else out.push(e);
  }
  return out;
}
