// How a critical data size reads, the same in the lens, `grok status`, the regime map and the
// report: the bracket first (what the grid says), then the estimate and its interval, e.g.
//   CDS 200–420 · ≈ 330 (90% CI 230–415)
//   CDS 200–420 · ≈ 330 (90% CI 230–415) · budget-limited
//   CDS ≥ 200 · ≈ 330 (90% CI 230–415)   (no size decisively at or above ε: open above)
//   CDS ≤ 200 (below the grid)      CDS > 420 (not reached)
// A sweep over a random-label mixture component's sample count has no CDS (mixtureSize.ts); it reads
//   a+b val 0.99 @ 1 · 0.31 @ 250 random(a-b) samples · no CDS (the swept size is a random-label count)
import type { CriticalDataSize, Summary } from '../store/types';
import { ANALYSIS_DEFAULTS } from './options';

/** A data size for display: counts as whole numbers from 10 up, fractions with 3 significant digits. */
export function formatSize(v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  return Math.abs(v) >= 10 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** "90% CI 230–415", "90% CI ≥ 230" (open above), "90% CI ≤ 415" (open below), or '' (both open). */
export function formatInterval(c: Pick<CriticalDataSize, 'low' | 'high' | 'confidence'>): string {
  const level = `${Math.round((c.confidence ?? ANALYSIS_DEFAULTS.bootstrapConfidence) * 100)}% CI`;
  if (c.low !== null && c.high !== null) return `${level} ${formatSize(c.low)}–${formatSize(c.high)}`;
  if (c.low !== null) return `${level} ≥ ${formatSize(c.low)}`;
  if (c.high !== null) return `${level} ≤ ${formatSize(c.high)}`;
  return '';
}

/** The bracket alone: "CDS 200–420", "CDS ≥ 200" (open above), "CDS ≤ 420" (open below), "CDS not resolved". */
export function formatBracket(bracket: CriticalDataSize['bracket']): string {
  const [below, above] = bracket ?? [null, null];
  return below !== null && above !== null ? `CDS ${formatSize(below)}–${formatSize(above)}`
    : below !== null ? `CDS ≥ ${formatSize(below)}` : above !== null ? `CDS ≤ ${formatSize(above)}` : 'CDS not resolved';
}

/** The critical data size in one line (without ε and seeds, which callers add where they fit). */
export function formatCds(c: CriticalDataSize): string {
  const limited = c.budgetLimited ? ' · budget-limited' : '';
  const [below, above] = c.bracket ?? [null, null];
  const ci = formatInterval(c);
  if (c.kind === 'not-reached') return `${below !== null ? `CDS > ${formatSize(below)}` : 'CDS not resolved'} (not reached${ci ? `; ${ci}` : ''})${limited}`;
  if (c.kind === 'below-grid') {
    // The fit reaches ε at the smallest size; the bracket says how sure the seeds make that.
    return !c.bracket || (below === null && above === c.value) ? `CDS ≤ ${formatSize(c.value)} (below the grid)${limited}`
      : `${formatBracket(c.bracket)} · fit ≤ ${formatSize(c.value)} (below the grid)${limited}`;
  }
  return `${formatBracket(c.bracket)} · ≈ ${formatSize(c.value)}${ci ? ` (${ci})` : ''}${limited}`;
}

/** One op component's converged val accuracy per random-label count, in place of a CDS (see the header). */
export function formatRandomCount(entry: NonNullable<Summary['randomCount']>['accuracy'][number], random: string): string {
  const points = entry.points.map((p) => `${p.valAcc.toFixed(2)} @ ${formatSize(p.size)}`).join(' · ');
  const limited = entry.points.some((p) => p.moving) ? ' · budget-limited' : '';
  return `${entry.component} val ${points} ${random} samples${limited} · no CDS (the swept size is a random-label count)`;
}

/** A memorization capacity: "D_mem 100 (fits 100, not 150)", "D_mem ≥ 450 (every grid size fits)", "D_mem < 25 (no grid size fits)". */
export function formatMemorization(m: Pick<Summary['memorizationCapacity'][number], 'value' | 'kind' | 'bracket' | 'budgetLimited'>): string {
  const limited = m.budgetLimited ? ' · budget-limited' : '';
  const [fits, not] = m.bracket ?? [m.value, null];
  if (m.kind === 'not-reached') return `D_mem ≥ ${formatSize(m.value)} (every grid size fits)${limited}`;
  if (m.kind === 'below-grid') return `D_mem < ${formatSize(not)} (no grid size fits)${limited}`;
  return `D_mem ${formatSize(m.value)}${not !== null ? ` (fits ${formatSize(fits)}, not ${formatSize(not)})` : ''}${limited}`;
}
