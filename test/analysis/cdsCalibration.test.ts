// Calibration of the critical-data-size interval and bracket (cds.ts) on 240 simulated sweeps with
// a known true CDS (cdsSimulation.ts): coarse and fine grids, 2–11 seeds, bimodal seed shifts and
// additive noise. The numbers are in src/analysis/README.md ("Data size").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalDataSize } from '../../src/analysis/cds';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/options';
import { simulateSweep } from './cdsSimulation';

const EPS = 0.95;
// More sweeps out of sample: CDS_CALIBRATION_SWEEPS=3000 (src/analysis/README.md has what that gives).
const SWEEPS = Number(process.env.CDS_CALIBRATION_SWEEPS ?? 240);

test(`calibration on ${SWEEPS} simulated sweeps: the bracket always contains the truth; the ${ANALYSIS_DEFAULTS.bootstrapConfidence * 100}% interval covers it at ≥ nominal − 5 points in every grid × noise kind; the bracket contains the interval`, () => {
  type Tally = { n: number; bracket: number; interval: number; cells: number; closed: number };
  const tally = new Map<string, Tally>();
  const add = (key: string, inBracket: boolean, inInterval: boolean, cells: number, closed: boolean) => {
    const t = tally.get(key) ?? { n: 0, bracket: 0, interval: 0, cells: 0, closed: 0 };
    t.n++; t.bracket += Number(inBracket); t.interval += Number(inInterval); t.cells += cells; t.closed += Number(closed);
    tally.set(key, t);
  };
  const missed: string[] = [];
  for (let i = 0; i < SWEEPS; i++) {
    const s = simulateSweep(i, EPS);
    const c = criticalDataSize(s.runs, EPS, { bootstrapResamples: 400 });
    const [below, above] = c.bracket!;
    // The bracket is never narrower than the interval (null = open at that end).
    assert.ok(below === null || (c.low !== null && below <= c.low), `sweep ${i}: bracket ${below} ≤ low ${c.low}`);
    assert.ok(above === null || (c.high !== null && c.high <= above), `sweep ${i}: high ${c.high} ≤ bracket ${above}`);
    const inBracket = (below === null || below <= s.truth) && (above === null || s.truth <= above);
    const inInterval = (c.low === null || c.low <= s.truth) && (c.high === null || s.truth <= c.high);
    // Width in grid cells; an open end reaches one cell past the grid's end.
    const cells = (above === null ? s.sizes.length : s.sizes.indexOf(above)) - (below === null ? -1 : s.sizes.indexOf(below));
    const closed = below !== null && above !== null;
    if (!inBracket) missed.push(`sweep ${i} (${s.grid}, ${s.kind}, ${s.seeds} seeds): truth ${s.truth.toFixed(1)} outside [${below}, ${above}]`);
    for (const key of ['all', `${s.grid} grid, ${s.kind}`, `${s.seeds <= 4 ? '2–4' : s.seeds <= 7 ? '5–7' : '8–11'} seeds`]) add(key, inBracket, inInterval, cells, closed);
  }
  const nominal = ANALYSIS_DEFAULTS.bootstrapConfidence;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [...tally].map(([k, t]) => `${k}: n=${t.n} · bracket contains truth ${pct(t.bracket / t.n)} · ` +
    `${nominal * 100}% interval ${pct(t.interval / t.n)} · bracket width ${(t.cells / t.n).toFixed(2)} grid cells, closed at both ends ${pct(t.closed / t.n)}`);
  console.log(lines.join('\n'));
  assert.deepEqual(missed, [], `the bracket missed the truth\n${lines.join('\n')}`);
  for (const [key, t] of tally) {
    assert.ok(t.interval / t.n >= nominal - 0.05, `${key}: interval coverage ${t.interval / t.n} < ${nominal - 0.05}\n${lines.join('\n')}`);
  }
});
