// CodeLens text and positions for a `*.grok.json` file, from its text and the sweep's summary.json.
// jsonc-parser's ESM build: esbuild bundles its default UMD build with a broken dynamic require.
// No vscode import: the provider (./provider.ts) is a thin wrapper, this is what the unit tests check.
import { findNodeAtLocation, getNodeValue, parseTree, type Node } from 'jsonc-parser/lib/esm/main.js';
import { REGIMES, type CriticalDataSize, type Regime, type RunSummary, type Summary } from '../../store/types';
import { formatCds, formatRandomCount, formatSize } from '../../analysis/format';
import { LineIndex, type Span } from '../model/text';
import { dataSizeAxis, isSeedAxis, modelSizeAxis, sameValue, shortAxis, type AxisValue, type Axes } from '../model/axes';

export type SweepActivity = 'idle' | 'running' | 'paused';

export interface SweepState {
  status: SweepActivity;
  done?: number;
  total?: number;
  etaMs?: number | null;
}

/** Where lenses go, from the text alone (cheap: provideCodeLenses). */
export interface LensAnchors {
  name: string | null;
  top: Span;
  epsilon: number;
  modelAxis: string | null;
  dataAxis: string | null;
  modelValues: Array<{ value: AxisValue; span: Span }>;
  dataValues: Array<{ value: AxisValue; span: Span }>;
  /** Seeds per condition implied by the config (the `seed` axis length, else 1). */
  seedsPerCell: number;
}

export type ValueLensKind = 'cds' | 'regimes';

/** Null when the text has no object to anchor lenses on. Never throws: lenses are only hints. */
export function findAnchors(text: string): LensAnchors | null {
  try {
    return anchorsOf(text);
  } catch {
    // JSON nested thousands deep exhausts the parser's stack (the diagnostics name the problem).
    return null;
  }
}

function anchorsOf(text: string): LensAnchors | null {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return null;
  const idx = new LineIndex(text);
  const firstProp = root.children?.[0];
  const top = idx.span(firstProp?.offset ?? root.offset, firstProp ? firstProp.length : 1);
  const nameNode = findNodeAtLocation(root, ['name']);
  const name = nameNode?.type === 'string' ? String(getNodeValue(nameNode)) : null;
  const epsNode = findNodeAtLocation(root, ['analysis', 'epsilon']);
  const searchEps = findNodeAtLocation(root, ['search', 'epsilon']);
  const epsilon = num(searchEps) ?? num(epsNode) ?? 0.95;
  const searchAxisNode = findNodeAtLocation(root, ['search', 'axis']);
  const sweep = findNodeAtLocation(root, ['sweep']);
  // Keys come from the text: "__proto__" must stay a key, not replace the prototype.
  const axes: Axes = Object.create(null) as Axes;
  const valueNodes: Record<string, Node[]> = Object.create(null) as Record<string, Node[]>;
  for (const prop of sweep?.type === 'object' ? sweep.children ?? [] : []) {
    const [k, arr] = prop.children ?? [];
    if (!k || !arr || arr.type !== 'array') continue;
    const key = String(k.value);
    valueNodes[key] = arr.children ?? [];
    axes[key] = (arr.children ?? []).map((n) => getNodeValue(n) as AxisValue);
  }
  const modelAxis = modelSizeAxis(axes);
  const dataAxis = dataSizeAxis(axes, searchAxisNode?.type === 'string' ? String(searchAxisNode.value) : undefined);
  const seedAxis = Object.keys(axes).find(isSeedAxis);
  const values = (axis: string | null) =>
    axis ? (valueNodes[axis] ?? []).map((n) => ({ value: getNodeValue(n) as AxisValue, span: idx.span(n.offset, n.length) })) : [];
  return {
    name, top, epsilon, modelAxis, dataAxis,
    modelValues: values(modelAxis),
    dataValues: values(dataAxis),
    seedsPerCell: seedAxis ? axes[seedAxis]!.length : 1,
  };
}

function num(n: Node | undefined): number | null {
  return n?.type === 'number' ? Number(n.value) : null;
}

export interface TopLens { title: string; command: string; tooltip: string }

/**
 * The top-line lens for the engine's limits the diagnostics found (memory over the device's,
 * compute beyond a day), or null: the first one, shortened; the tooltip has them all.
 */
export function limitLens(limits: ReadonlyArray<{ message: string; severity: 'error' | 'warning' }>): TopLens | null {
  if (limits.length === 0) return null;
  const first = limits.find((l) => l.severity === 'error') ?? limits[0]!;
  const short = first.message.length > 90 ? `${first.message.slice(0, 89)}…` : first.message;
  const more = limits.length > 1 ? ` (+${limits.length - 1} more)` : '';
  return {
    title: `${first.severity === 'error' ? '⛔' : '⚠'} ${short}${more}`,
    command: 'workbench.actions.view.problems',
    tooltip: limits.map((l) => `${l.severity}: ${l.message}`).join('\n'),
  };
}

/** The lenses on the top line: run / stop / resume, progress, and the views when results exist. */
export function topLenses(state: SweepState, opts: { trusted: boolean; hasResults: boolean; complete: boolean }): TopLens[] {
  const out: TopLens[] = [];
  if (state.status === 'running' || state.status === 'paused') {
    out.push({ title: '■ Stop', command: 'grok.stopSweep', tooltip: 'Stop the sweep (finished runs are kept; resume later)' });
    if (state.total) out.push({ title: progressText(state), command: '', tooltip: 'Runs finished / total' });
  } else if (!opts.trusted) {
    out.push({ title: '⚠ Trust this workspace to run sweeps', command: 'workbench.trust.manage', tooltip: 'Sweeps run code and write files: they need a trusted workspace. Stored results still show.' });
  } else {
    out.push({ title: '▶ Run sweep', command: 'grok.startSweep', tooltip: opts.hasResults ? 'Run the sweep again from the start' : 'Run every run of this sweep' });
    if (opts.hasResults && !opts.complete) out.push({ title: '↻ Resume', command: 'grok.resumeSweep', tooltip: 'Continue the unfinished runs from their last checkpoint' });
  }
  if (opts.hasResults || state.status !== 'idle') {
    out.push({ title: 'Curves', command: 'grok.showCurves', tooltip: 'Train/validation curves' });
    out.push({ title: 'Regime map', command: 'grok.showRegimeMap', tooltip: 'Model size × data size, coloured by regime' });
  }
  return out;
}

export function progressText(state: SweepState): string {
  const base = `${state.done ?? 0}/${state.total ?? 0} runs`;
  return state.etaMs != null && state.etaMs > 0 ? `${base} · ETA ${formatDuration(state.etaMs)}` : base;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Lens text under a model-size value: the critical data size of that model size. */
export function cdsText(modelAxis: string, value: AxisValue, summary: Summary | null, dataValues: AxisValue[]): string {
  if (!summary) return 'CDS: no results yet';
  if (summary.randomCount) return randomCountText(modelAxis, value, summary.randomCount);
  const entries = summary.criticalDataSize.filter((c) => sameValue(c.group[modelAxis], value));
  if (entries.length === 0) {
    const runs = summary.runs.filter((r) => sameValue(r.params[modelAxis], value));
    const done = runs.filter((r) => r.status === 'done').length;
    return runs.length ? `CDS: pending (${done}/${runs.length} runs done)` : 'CDS: no runs';
  }
  return entries.map((c) => {
    const extra = Object.entries(c.group).filter(([k]) => k !== modelAxis && !isSeedAxis(k));
    const prefix = extra.length ? `${extra.map(([k, v]) => `${shortAxis(k)}=${String(v)}`).join(' ')}: ` : '';
    return prefix + oneCds(c, dataValues);
  }).join(' | ');
}

/** A sweep over a random-label component's count has no CDS: its op components' val accuracy per count instead. */
function randomCountText(modelAxis: string, value: AxisValue, rc: NonNullable<Summary['randomCount']>): string {
  const entries = rc.accuracy.filter((a) => sameValue(a.group[modelAxis], value));
  if (entries.length === 0) return `no CDS (the swept size counts ${rc.component} samples): no finished runs yet`;
  return entries.map((a) => {
    const extra = Object.entries(a.group).filter(([k]) => k !== modelAxis && !isSeedAxis(k));
    const prefix = extra.length ? `${extra.map(([k, v]) => `${shortAxis(k)}=${String(v)}`).join(' ')}: ` : '';
    const seeds = Math.max(...a.points.map((p) => p.seeds));
    return `${prefix}${formatRandomCount(a, rc.component)} · ${seeds} seed${seeds === 1 ? '' : 's'}`;
  }).join(' | ');
}

/** The analysis' one-line CDS (bracket · estimate (CI) · budget flag), then ε and seeds. */
function oneCds(c: CriticalDataSize, dataValues: AxisValue[]): string {
  const tail = `@ ε=${c.epsilon} · ${c.seeds} seed${c.seeds === 1 ? '' : 's'}`;
  if (c.kind === 'not-reached' && !c.bracket) {
    // A summary from before brackets: the largest grid size is the bound.
    const nums = dataValues.filter((v): v is number => typeof v === 'number');
    return nums.length ? `CDS > ${formatSize(Math.max(...nums))} (not reached) ${tail}` : `CDS not reached ${tail}`;
  }
  return `${formatCds(c)} ${tail}`;
}

/** Lens text under a data-size value: the regimes its runs ended in. */
export function regimesText(dataAxis: string, value: AxisValue, summary: Summary | null): string {
  if (!summary) return 'regimes: no results yet';
  const runs = summary.runs.filter((r) => sameValue(r.params[dataAxis], value));
  if (runs.length === 0) return 'regimes: no runs';
  const counts = countRegimes(runs);
  const parts = REGIMES.filter((g) => counts[g]).map((g) => `${g} ${counts[g]}`);
  const pending = runs.filter((r) => r.regime == null).length;
  if (pending) parts.push(`${pending} pending`);
  return `regimes: ${parts.join(' · ')}`;
}

export function countRegimes(runs: RunSummary[]): Partial<Record<Regime, number>> {
  const counts: Partial<Record<Regime, number>> = {};
  for (const r of runs) if (r.regime) counts[r.regime] = (counts[r.regime] ?? 0) + 1;
  return counts;
}

export interface ValueLens { kind: ValueLensKind; value: AxisValue; span: Span; title: string }

/** Every value lens; when several values share a line, each text starts with its value. */
export function valueLenses(anchors: LensAnchors, summary: Summary | null): ValueLens[] {
  const out: ValueLens[] = [];
  const dataVals = anchors.dataValues.map((d) => d.value);
  const shared = (list: Array<{ span: Span }>, i: number) => list.some((o, j) => j !== i && o.span.start.line === list[i]!.span.start.line);
  anchors.modelValues.forEach((m, i) => {
    const t = cdsText(anchors.modelAxis!, m.value, summary, dataVals);
    out.push({ kind: 'cds', value: m.value, span: m.span, title: shared(anchors.modelValues, i) ? `${shortAxis(anchors.modelAxis!)}=${String(m.value)}: ${t}` : t });
  });
  anchors.dataValues.forEach((d, i) => {
    const t = regimesText(anchors.dataAxis!, d.value, summary);
    out.push({ kind: 'regimes', value: d.value, span: d.span, title: shared(anchors.dataValues, i) ? `${shortAxis(anchors.dataAxis!)}=${String(d.value)}: ${t}` : t });
  });
  return out;
}

/** Title of one value lens (resolveCodeLens computes it late, from the latest summary). */
export function valueLensTitle(anchors: LensAnchors, kind: ValueLensKind, index: number, summary: Summary | null): string {
  const all = valueLenses(anchors, summary);
  const list = all.filter((l) => l.kind === kind);
  return list[index]?.title ?? '';
}
