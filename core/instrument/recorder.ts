// The Recorder watches the engine through its observer hooks and turns each backward() into a
// StepRecord, histograms on a schedule, and diagnostics. It is the only stateful piece of the
// instrumentation; the maths lives in stats/activations/nonfinite, the rules in detectors/.

import type { Tensor } from '../tensor';
import { peekNextNodeId, type Node } from '../autograd/node';
import { addObserver, tensorTags, type BackwardEvent, type ForwardEvent, type OptimizerStepEvent } from '../autograd/hooks';
import { Module } from '../nn/module';
import * as nnExports from '../nn';
import { captureSite, resolveSite, userFrames, type Site, type SourceLocation } from './callsite';
import { fromKernel, histogram, histogramOf, normFromSumSq, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, normStats, tensorStats, tensorStatsWithHistogram, DEFAULT_BINS, type Histogram, type StatsWithHistogram, type TensorStats } from './stats';
import { StatsThread, type StatsTicket, type ThreadKernel } from '../kernels/stats-thread';
import { firstNonFinite, describeNonFinite } from './nonfinite';
import { ACTIVATION_OPS, activationHealth } from './activations';
import { ModelIndex } from './model-index';
import { DiagnosisEngine, type DetectorConfig } from './detectors';
import type { ActivationOp, ActivationStep, HistogramEntry, Level, NonFiniteOrigin, ParamStep, StepRecord } from './records';
import type { Diagnostic } from './diagnostics';
import type { RunEvent } from './events';
import { sampleOf, updateSums } from './update-ratio';

export interface RecorderOptions {
  /** 'off': nothing recorded; 'default': scalars every step, histograms on a schedule; 'full': histograms every step. */
  level?: Level;
  /** Histograms every K steps; by default K adapts so histograms stay within `histogramBudget`. */
  histogramEvery?: number;
  /** Share of step time histograms may take when K adapts (default 0.0025: every ~120 steps on the benchmark MLP). */
  histogramBudget?: number;
  /**
   * Detailed measurement (all gradient statistics, activations, update ratios, detectors) every
   * N steps; by default N adapts to a 0.5% budget. Steps in between record loss and gradient norms.
   */
  detailEvery?: number;
  bins?: number;
  /** |pre-activation| beyond which sigmoid/tanh count as saturated (default 5, DeepDiagnosis). */
  saturationThreshold?: number;
  detectors?: Partial<DetectorConfig>;
  /**
   * At 'full', measure large gradients and weights on a second thread (where worker_threads and
   * WebAssembly are; default true): the training thread only copies them, and each step's record
   * is emitted once its measurements are in, usually one step later. False: all on this thread.
   */
  statsThread?: boolean;
  /** Receives every event as it happens. */
  emit?: (e: RunEvent) => void;
}

interface PendingStep {
  record: StepRecord;
  byTensor: Map<Tensor, ParamStep>;
  /** The step's part still on the stats thread; null once resolved (or when it had none). */
  unresolved: Unresolved | null;
  /** Histograms to emit with the step (when the thread measured some, or an earlier step waits for it), else null. */
  histograms: HistogramEntry[] | null;
}

/** A measurement: done, or on the stats thread. */
type Measured = StatsWithHistogram | StatsTicket;
const onThread = (m: Measured): m is StatsTicket => 'seq' in m;

/** A histogram step's row and histogram entry the stats thread completes (an activation's entry only). */
type Fill =
  | { kind: 'grad' | 'weight'; tensor: Tensor; row: ParamStep; ticket: StatsTicket; entry: HistogramEntry }
  | { kind: 'activation'; ticket: StatsTicket; entry: HistogramEntry };

interface Unresolved {
  fills: Fill[];
  /** The rows with a gradient, in order: the first non-finite one is reported once all are in. */
  gradRows: { tensor: Tensor; row: ParamStep }[];
  producers: Map<Tensor, Producer>;
  /** A non-finite gradient of a leaf that is not a tracked parameter, reported if no parameter's is. */
  loose: { producer: Producer; value: number } | null;
}

/** Placeholders of a measurement on the stats thread (replaced before the step is emitted). */
const MEASURING: TensorStats = Object.freeze(normFromSumSq(0, NaN));
const MEASURING_HIST: Histogram = Object.freeze({ lo: 0, hi: 0, counts: new Uint32Array(0), zero: 0, nan: 0, posInf: 0, negInf: 0 });

/** Tensors from this many values go to the stats thread (smaller ones cost less than the hand-over). */
const THREAD_MIN_ELEMENTS = 8192;
/** Steps waiting for the thread, at most, before the oldest is waited for. */
const MAX_AWAITING = 2;

/**
 * The gradients of a step between detailed ones, measured late: when the optimizer reads them
 * (its update computes Σg² in the same pass, so the norm costs no extra pass over ~all the
 * parameters), or when anything else may change them first (clipping, the next backward, the
 * next forward, the end of the run).
 */
interface LateGrads {
  record: StepRecord;
  entries: { tensor: Tensor; row: ParamStep; data: Float32Array }[];
  /** The graph node that produced each leaf's gradient, to name it if it is non-finite. */
  producers: Map<Tensor, Producer>;
  /** Σ‖g‖² of the gradients already measured at the end of backward. */
  sumSq: number;
}

/**
 * The node that produced a leaf's gradient, with where it was created: looked up as the node runs
 * (the op sites are kept by position in the step, which the next step's graph reuses).
 */
interface Producer {
  node: Node;
  site: Site | undefined;
}

/** Past this many unscanned op outputs (a forward never followed by backward), they are scanned at once. */
const MAX_DEFERRED = 4096;

const MAX_K = 1000;
/** Share of step time the detailed measurement may take between its steps, and its longest interval. */
const DETAIL_BUDGET = 0.005;
const MAX_DETAIL_EVERY = 50;
/** Op call sites are re-captured every this many steps (and on the first two, and wherever the graph differs). */
const SITE_REFRESH = 50;

export class Recorder {
  readonly level: Level;
  readonly diagnosis: DiagnosisEngine;
  private readonly index = new ModelIndex();
  private readonly emit: (e: RunEvent) => void;
  private readonly bins: number;
  private readonly saturation: number;
  private readonly fixedK: number | undefined;
  private readonly histBudget: number;
  private remove: (() => void) | null = null;
  private paused = false;
  private readonly useThread: boolean;
  /** Started on first use at 'full'; null where it cannot run. */
  private thread: StatsThread | null | undefined;
  /** Steps done but not emitted, oldest first: their thread measurements may still be running. */
  private awaiting: PendingStep[] = [];
  private resolving = false;

  private step = 0;
  private pending: PendingStep | null = null;
  private received = new Set<Tensor>();
  private activations = new Map<string, ActivationStep>();
  private actHists: HistogramEntry[] = [];
  /** The activation histograms of this step's forward on the stats thread. */
  private actFills: Fill[] = [];
  private opSites = new Map<string, Site>();
  /** Activation names of ops the user called directly, by 'name|file:line:col', and how many per base name. */
  private siteNames = new Map<string, string>();
  private siteCounts = new Map<string, number>();
  /** Activation name → the engine layer (module path) it runs inside. */
  private aliases = new Map<string, string>();
  /**
   * Where each graph node of a step was created, by its position in the step (node id minus the
   * first id of the step). Capturing a stack for every op costs microseconds, so sites are taken
   * on the first steps, every SITE_REFRESH steps, and where the op or module at a position
   * differs from the one recorded: a training loop builds the same graph each step.
   */
  private ordinalSites: ({ op: string; module: object | null; site: Site } | undefined)[] = [];
  private stepFirstNode = peekNextNodeId();
  private bptt = new Map<string, { module: string; layer: number; norms: number[] }>();
  private snapshot = new Map<Tensor, Float32Array>();
  /** The snapshot arrays, kept from step to step (weakly: a dropped parameter takes its own). */
  private sampleBuffers = new WeakMap<Tensor, Float32Array>();
  private weightStats = new Map<Tensor, TensorStats>();
  private leafProducers = new Map<Tensor, Producer>();
  /** Leaves whose non-finite gradient contribution was told apart this step: its producer (null: the running node's). */
  private pinned = new Map<Tensor, Producer | null>();
  private sumChecked = new Set<Tensor>();
  private nonFiniteSeen = false;
  private late: LateGrads | null = null;
  /**
   * On histogram steps, a parameter's gradient statistics and histogram (and its weights') are
   * taken as the gradient arrives in backward, while it and the weights are still in cache (a
   * later pass re-reads them from memory, and measured ~1.5× slower), or copied for the stats
   * thread at 'full'. Valid only when the gradient is the parameter's whole gradient: one
   * contribution into an empty .grad.
   */
  private early = new Map<Tensor, { grad: Measured; weight: Measured } | null>();
  /**
   * At 'default', graph ops' outputs are not scanned for NaN/Inf as they are made: they are kept
   * (the graph holds them until backward anyway) and scanned, in order, only when the loss or a
   * gradient turns out non-finite, so the first bad op is still found. Ops outside the graph
   * (data preprocessing, code under noGrad) are scanned at once: nothing would keep their outputs.
   */
  private deferred: ForwardEvent[] = [];

  // Histogram schedule: K adapts from measured costs.
  private k: number;
  private lastHistStep = 0;
  private lastStepEnd = 0;
  private stepMs = 0;
  private histMs = 0;
  private scheduledMs = 0;
  private detailEvery = 1;
  private readonly fixedDetail: number | undefined;
  private lastDetailStep = 0;
  private detailMs = 0;
  private lastJudged = 0;
  private judgeEvery = 1;

  constructor(options: RecorderOptions = {}) {
    this.level = options.level ?? 'default';
    this.emit = options.emit ?? (() => {});
    this.bins = options.bins ?? DEFAULT_BINS;
    this.saturation = options.saturationThreshold ?? 5;
    this.fixedK = options.histogramEvery;
    this.histBudget = options.histogramBudget ?? 0.0025;
    this.fixedDetail = options.detailEvery;
    this.useThread = options.statsThread ?? true;
    if (this.fixedDetail !== undefined) this.detailEvery = Math.max(1, Math.floor(this.fixedDetail));
    this.k = this.level === 'full' ? 1 : (this.fixedK ?? 1);
    this.diagnosis = new DiagnosisEngine(options.detectors ?? {}, (path) => this.locate(path));
  }

  /** Starts listening to the engine. Modules built before start() get no construction site. */
  start(): this {
    if (this.remove !== null || this.level === 'off') return this;
    this.listen();
    return this;
  }

  /**
   * Stops listening for a while without ending the run (e.g. around an evaluation loop, or to
   * compare levels block by block in one process): the pending step is flushed, and steps
   * resume their numbering on resume(). Time paused does not count as step time.
   */
  pause(): void {
    if (this.remove === null) return;
    this.remove();
    this.remove = null;
    this.flush();
    this.emitReady(true);
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.listen();
  }

  private listen(): void {
    this.lastStepEnd = performance.now();
    this.remove = addObserver({
      onModuleCreated: (m, site) => { if (m instanceof Module) this.index.add(m, site); },
      onForward: (e) => this.onForward(e),
      onBackwardStart: (root) => this.onBackwardStart(root),
      onBackwardNode: (e) => this.onBackwardNode(e),
      onGradsChanging: () => this.measureLateGrads(null),
      onLeafGrad: (leaf, grad) => this.onLeafGrad(leaf, grad),
      onBackwardEnd: (root) => this.onBackwardEnd(root),
      onOptimizerStep: (phase, e) => this.onOptimizerStep(phase, e),
    });
  }

  /** Stops listening; flushes the last step and the end-of-run rules. */
  stop(): Diagnostic[] {
    if (this.remove === null && !this.paused) return [];
    this.remove?.();
    this.remove = null;
    this.paused = false;
    // A forward that no backward followed (a script stopping on a NaN loss) is scanned now.
    this.scanDeferred();
    this.flush();
    this.emitReady(true);
    this.thread?.close();
    this.thread = undefined;
    const finished = this.diagnosis.finish();
    for (const d of finished) this.emit({ type: 'diagnostic', diagnostic: d });
    return finished;
  }

  get steps(): number {
    return this.step;
  }

  get histogramEvery(): number {
    return this.k;
  }

  diagnostics(): Diagnostic[] {
    return this.diagnosis.all();
  }

  private locate(path: string): SourceLocation | null {
    const opSite = this.opSites.get(path);
    if (opSite) return resolveSite(opSite);
    return this.index.locate(this.aliases.get(path) ?? path);
  }

  /**
   * Detailed measurement (full gradient stats, activations, update ratios, detectors): the first
   * steps, every histogram step, and every `detailEvery` steps as its budget allows; every step at 'full'.
   */
  private detailDue(step: number): boolean {
    return this.level === 'full' || step <= 3 || this.histogramDue(step) || step - this.lastDetailStep >= this.detailEvery;
  }

  private sitesDue(): boolean {
    const step = this.step + 1;
    return step <= 2 || step % SITE_REFRESH === 0;
  }

  private histogramDue(step: number): boolean {
    return this.level === 'full' || step === 1 || step - this.lastHistStep >= this.k;
  }

  // ---- forward --------------------------------------------------------------------------------

  private onForward(e: ForwardEvent): void {
    // The first op after a backward that the optimizer did not follow: its gradients are measured now.
    if (this.late !== null) this.measureLateGrads(null);
    const out = e.output;
    const node = out.gradFn;
    if (!this.nonFiniteSeen) {
      if (node !== null) {
        // Remember where each graph node was created, so a NaN found later points at the
        // user's line that ran the op: on the site-refresh steps, and wherever the graph differs
        // from the one recorded (another op or module at this position).
        const ordinal = node.id - this.stepFirstNode;
        const known = this.ordinalSites[ordinal];
        if (known === undefined || known.op !== node.name || known.module !== e.module || this.sitesDue()) {
          this.ordinalSites[ordinal] = { op: node.name, module: e.module, site: captureSite() };
        }
      }
      if (node === null || this.level === 'full') {
        const i = firstNonFinite(out.data);
        if (i >= 0) this.reportForwardNonFinite(e, out.data[i]!, captureSite());
      } else {
        this.deferred.push(e);
        if (this.deferred.length > MAX_DEFERRED) this.scanDeferred();
      }
    }
    if (ACTIVATION_OPS.has(e.op) && this.detailDue(this.step + 1)) {
      const a0 = performance.now();
      this.recordActivation(e);
      this.detailMs += performance.now() - a0;
    }
  }

  private modulePath(e: { modulePath: string | null; module: object | null }): string {
    let path = this.index.pathOf(e.module);
    // A module the index has not named yet (first forward of the run): name it now, so its
    // activations and BPTT entries keep one name from the first step on.
    if (path === null && e.module instanceof Module) {
      this.index.refresh();
      path = this.index.pathOf(e.module);
    }
    return path ?? e.modulePath ?? '';
  }

  /** Scans the deferred op outputs in the order they were made; reports the first non-finite one. */
  private scanDeferred(): void {
    const list = this.deferred;
    this.deferred = [];
    if (this.nonFiniteSeen) return;
    for (const e of list) {
      const i = firstNonFinite(e.output.data);
      if (i >= 0) {
        this.reportForwardNonFinite(e, e.output.data[i]!, this.siteOf(e.output.gradFn!));
        return;
      }
    }
  }

  /** Where a graph node of the current step was created, if recorded for this very op and module. */
  private siteOf(node: Node): Site | undefined {
    const known = this.ordinalSites[node.id - this.stepFirstNode];
    return known !== undefined && known.op === node.name && known.module === node.module ? known.site : undefined;
  }

  private reportForwardNonFinite(e: ForwardEvent, value: number, site: Site | undefined): void {
    this.resolveEarlier();
    if (this.nonFiniteSeen) return;
    this.nonFiniteSeen = true;
    const frames = site ? userFrames(site) : [];
    const fromInput = e.inputs.findIndex((t) => firstNonFinite(t.data) >= 0);
    const origin: NonFiniteOrigin = {
      phase: 'forward',
      op: e.op,
      module: e.module === null ? null : this.modulePath(e),
      step: this.step + 1,
      value: describeNonFinite(value),
      location: frames[0] ?? null,
      callers: frames.slice(1, 4),
      ...(fromInput >= 0 ? { inputIndex: fromInput } : {}),
    };
    this.emitDiagnostic(this.diagnosis.nonFinite(origin));
  }

  /**
   * Names an activation. An activation module (nn.ReLU at '1') is named by its path. An op run
   * inside one of the engine's layers (an RNN's tanh at every time step) is one activation per op
   * kind, located at the layer. An op the user calls directly is one activation per call site
   * ('encoder.relu', 'encoder.relu1' for a second line), located at that call.
   */
  private activationName(e: ForwardEvent, module: string): string {
    const m = e.module;
    if (m instanceof Module && ACTIVATION_MODULE_OPS[m.constructor.name] === e.op) return module;
    const base = `${module ? `${module}.` : ''}${e.op.charAt(0).toLowerCase()}${e.op.slice(1)}`;
    if (m instanceof Module && ENGINE_LAYERS.has(m.constructor)) {
      this.aliases.set(base, module);
      return base;
    }
    const site = captureSite();
    const loc = resolveSite(site);
    const siteKey = `${base}|${loc ? `${loc.file}:${loc.line}:${loc.column}` : ''}`;
    let name = this.siteNames.get(siteKey);
    if (name === undefined) {
      const k = this.siteCounts.get(base) ?? 0;
      this.siteCounts.set(base, k + 1);
      name = k === 0 ? base : `${base}${k}`;
      this.siteNames.set(siteKey, name);
      this.opSites.set(name, site);
    }
    return name;
  }

  private recordActivation(e: ForwardEvent): void {
    const name = this.activationName(e, this.modulePath(e));
    const input = e.inputs[0]!;
    const h = activationHealth(e.op, input.data, e.output.data, e.output.shape, this.saturation);
    const prev = this.activations.get(name);
    // The same activation run several times in one step (time steps, a shared block): keep the worse reading.
    if (prev === undefined || h.deadFrac > prev.deadFrac || (h.saturatedFrac ?? 0) > (prev.saturatedFrac ?? 0)) {
      this.activations.set(name, {
        key: name, module: name, op: e.op as ActivationOp, units: h.units,
        deadFrac: Math.max(h.deadFrac, prev?.deadFrac ?? 0),
        saturatedFrac: h.saturatedFrac === null ? null : Math.max(h.saturatedFrac, prev?.saturatedFrac ?? 0),
      });
    }
    if (this.histogramDue(this.step + 1) && prev === undefined) {
      const t0 = performance.now();
      this.actHists.push(this.activationHistogram(name, e.output.data));
      this.scheduledMs += performance.now() - t0;
    }
  }

  // ---- backward -------------------------------------------------------------------------------

  private onBackwardStart(root: Tensor): void {
    // Gradients of the last step, before this backward adds to them (gradient accumulation).
    this.measureLateGrads(null);
    // A non-finite loss: its origin is among this step's forward ops.
    if (!this.nonFiniteSeen && firstNonFinite(root.data) >= 0) this.scanDeferred();
  }

  private onLeafGrad(leaf: Tensor, grad: Tensor): void {
    if (this.received.has(leaf) && !this.nonFiniteSeen && !this.pinned.has(leaf)) this.checkContribution(leaf, grad);
    this.received.add(leaf);
    if (!this.histogramDue(this.step + 1)) return;
    // A second contribution, or one added to a gradient kept from before: measured at the end.
    if (this.early.has(leaf) || leaf.grad !== null || this.index.param(leaf) === undefined) {
      // The first contribution's measurements are void (their copies return to the thread).
      const void_ = this.early.get(leaf);
      if (void_ != null) for (const m of [void_.grad, void_.weight]) if (onThread(m)) this.thread?.release(m);
      this.early.set(leaf, null);
      return;
    }
    const t0 = performance.now();
    this.early.set(leaf, { grad: this.measure(grad.data), weight: this.measure(leaf.data) });
    this.scheduledMs += performance.now() - t0;
  }

  /**
   * A leaf's second or later gradient contribution in one backward (a shared weight, an extra loss
   * term): the sum will not tell which contribution was non-finite, so it is told now, and the
   * producer of the first non-finite one is pinned as the leaf's (the earlier ones' sum is checked
   * once, at the second contribution).
   */
  private checkContribution(leaf: Tensor, g: Tensor): void {
    const earlier = this.leafProducers.get(leaf);
    if (!this.sumChecked.has(leaf) && leaf.grad !== null && earlier !== undefined && firstNonFinite(leaf.grad.data) >= 0) {
      this.pinned.set(leaf, earlier);
    } else if (firstNonFinite(g.data) >= 0) {
      // Pinned to the node whose backward is running, at its onBackwardNode.
      this.pinned.set(leaf, null);
    }
    this.sumChecked.add(leaf);
  }

  /** Statistics and histogram of x: on the stats thread for large tensors at 'full', else now. */
  private measure(x: Float32Array): Measured {
    return this.submit(x, 'stats') ?? tensorStatsWithHistogram(x, this.bins);
  }

  /** An activation's histogram entry: completed by the stats thread (large outputs at 'full'), or now. */
  private activationHistogram(name: string, x: Float32Array): HistogramEntry {
    const ticket = this.submit(x, 'histogram');
    if (ticket === null) return { name, kind: 'activation', hist: histogram(x, this.bins) };
    const entry: HistogramEntry = { name, kind: 'activation', hist: MEASURING_HIST };
    this.actFills.push({ kind: 'activation', ticket, entry });
    return entry;
  }

  /** x handed to the stats thread (started on first use), or null: small, not 'full', or no thread. */
  private submit(x: Float32Array, kernel: ThreadKernel): StatsTicket | null {
    if (x.length < THREAD_MIN_ELEMENTS || this.level !== 'full' || !this.useThread) return null;
    if (this.thread === undefined) this.thread = StatsThread.start(this.bins, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL);
    return this.thread?.submit(x, kernel) ?? null;
  }

  private onBackwardNode(e: BackwardEvent): void {
    const tag = e.node.output === null ? undefined : tensorTags.get(e.node.output);
    if (tag !== undefined && tag.kind === 'rnn-step') {
      const path = this.modulePath({ module: e.node.module, modulePath: tag.modulePath });
      const key = `${path}#${tag.layer}`;
      let entry = this.bptt.get(key);
      if (entry === undefined) {
        entry = { module: path, layer: tag.layer, norms: new Array<number>(tag.steps).fill(0) };
        this.bptt.set(key, entry);
      }
      entry.norms[tag.step] = tensorStats(e.gradOutput.data).norm;
    }
    if (this.nonFiniteSeen) return;
    const inputs = e.node.inputs;
    for (let k = 0; k < e.gradInputs.length; k++) {
      const g = e.gradInputs[k];
      if (g === null || g === undefined) continue;
      // Gradients into leaves (parameters) are scanned once, by tensorStats at the end of the
      // step; remember which node produced them, to name it if they turn out non-finite.
      const leaf = inputs[k]!;
      if (leaf.isLeaf) {
        let producer = this.pinned.get(leaf);
        if (producer == null) producer = { node: e.node, site: this.siteOf(e.node) };
        if (this.pinned.get(leaf) === null) this.pinned.set(leaf, producer);
        this.leafProducers.set(leaf, producer);
        continue;
      }
      const i = firstNonFinite(g.data);
      if (i < 0) continue;
      // Only an origin if the gradient arriving at this node was finite.
      if (firstNonFinite(e.gradOutput.data) >= 0) return;
      // A forward op that made a non-finite value the loss did not show (masked, or summed
      // away) came first: it is the origin.
      this.scanDeferred();
      if (!this.nonFiniteSeen) this.reportBackwardNonFinite(e.node, g.data[i]!);
      return;
    }
  }

  /** `step`: the step whose backward produced it (the running one, unless reported after its end). */
  private reportBackwardNonFinite(node: Node, value: number, step = this.step + 1, site = this.siteOf(node)): void {
    this.resolveEarlier();
    if (this.nonFiniteSeen) return;
    this.nonFiniteSeen = true;
    const frames = site ? userFrames(site) : [];
    this.emitDiagnostic(this.diagnosis.nonFinite({
      phase: 'backward',
      op: node.name,
      module: node.module === null ? null : this.modulePath({ module: node.module, modulePath: node.modulePath }),
      step,
      value: describeNonFinite(value),
      location: frames[0] ?? null,
      callers: frames.slice(1, 4),
    }));
  }

  private onBackwardEnd(root: Tensor): void {
    this.flush();
    const t0 = performance.now();
    this.stepMs = t0 - this.lastStepEnd;
    const step = ++this.step;
    if (this.index.refreshIfStale(step) || step === 1) this.emitModel();

    const params: ParamStep[] = [];
    const byTensor = new Map<Tensor, ParamStep>();
    const late: LateGrads['entries'] = [];
    // Full weight statistics follow the histogram schedule (weights change slowly); in between,
    // the last ones are carried with the norm kept current by the update-ratio measurement.
    const histDue = this.histogramDue(step);
    // Detailed steps measure everything now; between them, gradients get their norm only, late.
    const detail = this.detailDue(step);
    // On histogram steps each tensor's statistics and histogram come from one pass (or from the
    // stats thread: `fills` are completed when its results are taken).
    const hists: HistogramEntry[] = [];
    const fills: Fill[] = this.actFills;
    this.actFills = [];
    const gradRows: Unresolved['gradRows'] = [];
    const s0 = performance.now();
    for (const p of this.index.params) {
      const got = this.received.has(p.tensor) && p.tensor.grad !== null;
      const early = histDue && got ? this.early.get(p.tensor) : undefined;
      const row: ParamStep = {
        name: p.name, module: p.module, ndim: p.tensor.ndim, requiresGrad: p.tensor.requiresGrad,
        grad: null, weight: MEASURING, updateRatio: null,
      };
      const place = (m: Measured, kind: 'grad' | 'weight'): TensorStats | null => {
        const entry: HistogramEntry = { name: p.name, kind, hist: onThread(m) ? MEASURING_HIST : m.hist };
        hists.push(entry);
        if (!onThread(m)) return m.stats;
        fills.push({ tensor: p.tensor, row, kind, ticket: m, entry });
        return null;
      };
      if (got && histDue) {
        row.grad = place(early?.grad ?? tensorStatsWithHistogram(p.tensor.grad!.data, this.bins), 'grad');
      } else if (got && detail) {
        row.grad = tensorStats(p.tensor.grad!.data);
      }
      if (got && (histDue || detail)) gradRows.push({ tensor: p.tensor, row });
      let weight: TensorStats | null | undefined = this.weightStats.get(p.tensor);
      if (histDue || weight === undefined) {
        const w0 = performance.now();
        weight = histDue ? place(early?.weight ?? tensorStatsWithHistogram(p.tensor.data, this.bins), 'weight') : tensorStats(p.tensor.data);
        this.scheduledMs += performance.now() - w0;
        if (weight !== null) this.weightStats.set(p.tensor, weight);
      }
      if (weight !== null) row.weight = { ...weight };
      params.push(row);
      byTensor.set(p.tensor, row);
      if (got && !detail) late.push({ tensor: p.tensor, row, data: p.tensor.grad!.data });
    }
    // Leaves that are not tracked parameters (an input with requiresGrad, a loose tensor): the
    // scan their gradients skipped in backward happens here.
    let loose: Unresolved['loose'] = null;
    if (!this.nonFiniteSeen) {
      for (const [leaf, producer] of this.leafProducers) {
        if (byTensor.has(leaf) || leaf.grad === null) continue;
        const i = firstNonFinite(leaf.grad.data);
        if (i >= 0) {
          loose = { producer, value: leaf.grad.data[i]! };
          break;
        }
      }
    }
    if (detail) this.detailMs += performance.now() - s0;
    const sumSq = gradSumSq(gradRows);
    this.received.clear();
    this.early.clear();
    this.pinned.clear();
    this.sumChecked.clear();
    // The step's forward outputs are not needed past its backward.
    this.deferred = [];
    const record: StepRecord = {
      step,
      loss: root.numel() === 1 ? root.data[0]! : null,
      gradNorm: Math.sqrt(sumSq),
      lr: null,
      params,
      activations: [...this.activations.values()],
      bptt: [...this.bptt.values()],
      ...(detail ? {} : { detail: false }),
    };
    const producers = this.leafProducers;
    if (late.length > 0 || fills.length > 0) this.leafProducers = new Map();
    if (late.length > 0) this.late = { record, entries: late, producers, sumSq };
    const unresolved: Unresolved = { fills, gradRows, producers, loose };
    // Without thread work, the non-finite gradients are reported now (else once its results are in).
    if (fills.length === 0) {
      this.reportGradNonFinite(unresolved, step);
      if (late.length === 0) producers.clear();
    }
    if (detail) {
      this.lastDetailStep = step;
      this.adaptDetail();
    }
    this.activations.clear();
    this.bptt.clear();

    let histograms: HistogramEntry[] | null = null;
    if (histDue) {
      const entries = [...hists, ...this.actHists];
      // Everything that follows the histogram schedule counts against its budget: the weight
      // statistics with their histograms, and the activation histograms of the forward.
      this.histMs = this.scheduledMs;
      this.scheduledMs = 0;
      this.lastHistStep = step;
      // Emitted with the step when it or an earlier step waits for the thread (events stay in step order).
      if (fills.length === 0 && this.awaiting.length === 0) this.emit({ type: 'histograms', step, entries });
      else histograms = entries;
      this.adaptK();
    }
    this.actHists = [];
    this.stepFirstNode = peekNextNodeId();
    this.pending = { record, byTensor, unresolved: fills.length > 0 ? unresolved : null, histograms };
    this.lastStepEnd = performance.now();
  }

  /** Reports the first non-finite gradient of step `step`'s rows (in parameter order), else of a loose leaf. */
  private reportGradNonFinite(u: Unresolved, step: number): void {
    for (const { tensor, row } of u.gradRows) {
      if (row.grad !== null && row.grad.nanCount + row.grad.infCount > 0) {
        this.reportLeafNonFinite(tensor, u.producers, row.grad, step);
        return;
      }
    }
    if (u.loose !== null && !this.nonFiniteSeen) this.reportBackwardNonFinite(u.loose.producer.node, u.loose.value, step, u.loose.producer.site);
  }

  // ---- the stats thread -------------------------------------------------------------------------

  /** Takes a step's measurements from the stats thread into its rows, histograms and gradient norm. */
  private resolve(p: PendingStep): void {
    const u = p.unresolved;
    if (u === null) return;
    p.unresolved = null;
    const wasResolving = this.resolving;
    this.resolving = true;
    try {
      for (const f of u.fills) {
        if (f.kind === 'activation') {
          // Null when the thread failed, or for NaN/Inf outputs: histogram() from the ticket's copy.
          const w = this.thread?.takeHistogram(f.ticket) ?? null;
          f.entry.hist = w !== null ? histogramOf(w) : histogram(f.ticket.data, this.bins);
          this.thread?.release(f.ticket);
          continue;
        }
        // Null when the thread failed: the same numbers from the ticket's copy, here.
        const m = fromKernel(f.ticket.data, this.bins, this.thread?.take(f.ticket) ?? null);
        this.thread?.release(f.ticket);
        f.entry.hist = m.hist;
        if (f.kind === 'grad') {
          f.row.grad = m.stats;
        } else {
          f.row.weight = { ...m.stats };
          this.weightStats.set(f.tensor, m.stats);
        }
      }
      // Summed as at the end of backward, in parameter order: the same norm to the last bit.
      p.record.gradNorm = Math.sqrt(gradSumSq(u.gradRows));
      this.reportGradNonFinite(u, p.record.step);
    } finally {
      this.resolving = wasResolving;
    }
  }

  /**
   * Before an origin of NaN/Inf is reported: the steps whose gradients are still on the thread
   * came first, so their non-finite gradients (if any) are the origin.
   */
  private resolveEarlier(): void {
    if (this.resolving) return;
    for (const p of this.awaiting) this.resolve(p);
    if (this.pending !== null) this.resolve(this.pending);
    // The earlier steps go out before the finding, as they would without the thread.
    this.emitReady(true);
  }

  /** Emits finished steps in order; waits for the oldest one's thread results when `wait`, or when too many are waiting. */
  private emitReady(wait: boolean): void {
    while (this.awaiting.length > 0) {
      const p = this.awaiting[0]!;
      if (p.unresolved !== null) {
        const ready = p.unresolved.fills.every((f) => this.thread?.done(f.ticket) ?? true);
        if (!ready && !wait && this.awaiting.length <= MAX_AWAITING) return;
        this.resolve(p);
      }
      this.awaiting.shift();
      this.emitStep(p);
    }
  }

  private judgeDue(step: number): boolean {
    return step <= 3 || step - this.lastJudged >= this.judgeEvery;
  }

  /** At 'full': the interval between the detectors' judgements, from the time the last one took. */
  private adaptJudge(step: number, ms: number): void {
    this.lastJudged = step;
    if (this.stepMs > 0) this.judgeEvery = Math.min(MAX_DETAIL_EVERY, Math.max(1, Math.ceil(ms / (DETAIL_BUDGET * this.stepMs))));
  }

  /** Chooses the detail interval so detailed measurement stays within its budget. */
  private adaptDetail(): void {
    if (this.level === 'full' || this.stepMs <= 0 || this.fixedDetail !== undefined) {
      this.detailMs = 0;
      return;
    }
    const want = Math.ceil(this.detailMs / (DETAIL_BUDGET * this.stepMs));
    this.detailEvery = Math.min(MAX_DETAIL_EVERY, Math.max(1, want));
    this.detailMs = 0;
  }

  /** Chooses K so that histogram time / (K · step time) stays within the budget. */
  private adaptK(): void {
    if (this.level === 'full' || this.fixedK !== undefined) return;
    if (this.stepMs <= 0) return;
    const want = Math.ceil(this.histMs / (this.histBudget * this.stepMs));
    this.k = Math.min(MAX_K, Math.max(1, want));
  }

  // ---- optimizer ------------------------------------------------------------------------------

  /**
   * Measures a step's late gradients: from the Σg² an optimizer update computed (`sums`, in the
   * order of `params`), else with a pass of their own. Non-finite sums take the full pass, which
   * counts NaN and Inf and names the op that produced them.
   */
  private measureLateGrads(fused: { params: readonly Tensor[]; sums: Float64Array } | null): void {
    const late = this.late;
    if (late === null) return;
    this.late = null;
    const at = new Map<Tensor, number>();
    if (fused !== null) fused.params.forEach((p, i) => { if (fused.sums[i]! >= 0) at.set(p, i); });
    let sumSq = late.sumSq;
    for (const en of late.entries) {
      const i = at.get(en.tensor);
      const s = i === undefined ? NaN : fused!.sums[i]!;
      const grad = Number.isFinite(s) ? normFromSumSq(en.data.length, s) : normStats(en.data);
      en.row.grad = grad;
      sumSq += grad.norm * grad.norm;
      if (grad.nanCount + grad.infCount > 0) this.reportLeafNonFinite(en.tensor, late.producers, grad, late.record.step);
    }
    late.record.gradNorm = Math.sqrt(sumSq);
  }

  /** A parameter's gradient holds NaN/Inf: the node that produced it is the origin, unless one was found before. */
  private reportLeafNonFinite(t: Tensor, producers: Map<Tensor, Producer>, grad: TensorStats, step: number): void {
    if (this.nonFiniteSeen) return;
    const producer = producers.get(t);
    if (producer !== undefined) this.reportBackwardNonFinite(producer.node, grad.nanCount > 0 ? NaN : Infinity, step, producer.site);
  }

  private onOptimizerStep(phase: 'before' | 'after', e: OptimizerStepEvent): void {
    if (phase === 'before') {
      if (this.index.addLoose(e.params)) this.emitModel();
      this.snapshot.clear();
      // Update ratios are measured on detailed steps (the step that just ended).
      if (this.pending !== null && this.pending.record.detail !== false) {
        const u0 = performance.now();
        for (const p of e.params) this.snapshot.set(p, sampleOf(p.data, this.step, this.sampleBuffers.get(p)));
        this.detailMs += performance.now() - u0;
      }
      return;
    }
    this.measureLateGrads({ params: e.params, sums: e.gradSumSq });
    const pending = this.pending;
    if (pending !== null) {
      for (const [p, before] of this.snapshot) {
        const row = pending.byTensor.get(p);
        if (row === undefined) continue;
        const { d2, w2, a2 } = updateSums(p.data, before, this.step);
        // NaN in, NaN out: a non-finite update is not 'no update'.
        row.updateRatio = Number.isNaN(d2 + w2) ? NaN : w2 > 0 ? Math.sqrt(d2 / w2) : d2 > 0 ? Infinity : 0;
        // Keep the carried weight norm current (exact for small tensors, estimated from the sample for large ones).
        const carried = this.weightStats.get(p);
        if (carried !== undefined && before.length < p.data.length) carried.norm = Math.sqrt((a2 * p.data.length) / before.length);
        else if (carried !== undefined) carried.norm = Math.sqrt(a2);
      }
      pending.record.lr = e.lrs[0] ?? null;
    }
    for (const [p, buffer] of this.snapshot) this.sampleBuffers.set(p, buffer);
    this.snapshot.clear();
    this.flush();
  }

  /** Ends the pending step (after its optimizer step, or when the next one starts): emitted once its measurements are in. */
  private flush(): void {
    this.measureLateGrads(null);
    const p = this.pending;
    if (p !== null) {
      this.pending = null;
      this.awaiting.push(p);
    }
    this.emitReady(false);
  }

  /** A new model summary, after the steps before it (which may still wait for the thread: rare, the model seldom changes). */
  private emitModel(): void {
    this.emitReady(true);
    this.emit({ type: 'model', summary: this.index.summary() });
  }

  private emitStep(p: PendingStep): void {
    if (p.histograms !== null) this.emit({ type: 'histograms', step: p.record.step, entries: p.histograms });
    this.emit({ type: 'step', record: p.record });
    // The detectors judge detailed steps: their time counts against the detail budget. At
    // 'full', where every step is detailed, they judge on a schedule of their own (same budget).
    const o0 = performance.now();
    const judge = this.level === 'full' ? this.judgeDue(p.record.step) : p.record.detail !== false;
    for (const d of this.diagnosis.observe(p.record, judge)) this.emitDiagnostic(d);
    if (judge && this.level === 'full') this.adaptJudge(p.record.step, performance.now() - o0);
    else if (judge) this.detailMs += performance.now() - o0;
  }

  private emitDiagnostic(d: Diagnostic | null): void {
    if (d !== null) this.emit({ type: 'diagnostic', diagnostic: d });
  }
}

/** Σ‖g‖² of the rows' gradients measured so far, in parameter order. */
function gradSumSq(rows: Unresolved['gradRows']): number {
  let sumSq = 0;
  for (const { row } of rows) if (row.grad !== null) sumSq += row.grad.norm * row.grad.norm;
  return sumSq;
}

/** The engine's own layer classes (activations inside them are named per layer, not per call). */
const ENGINE_LAYERS: ReadonlySet<unknown> = new Set(Object.values(nnExports).filter((v) => typeof v === 'function'));

/** Activation modules and the op each runs, to name their activations by the module's path. */
const ACTIVATION_MODULE_OPS: Record<string, string> = { ReLU: 'Relu', LeakyReLU: 'LeakyRelu', GELU: 'Gelu', Sigmoid: 'Sigmoid', Tanh: 'Tanh' };
