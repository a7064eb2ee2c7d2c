// Calibration of the critical-data-size interval and bracket (cds.ts) on 240 simulated sweeps with
// a known true CDS (cdsSimulation.ts): coarse and fine grids, 2–11 seeds, bimodal seed shifts and
// additive noise. The numbers are in docs/reproduction.md ("Calibration").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criticalDataSize } from '../../src/analysis/cds';
import { ANALYSIS_DEFAULTS } from '../../src/analysis/options';
import { simulateSweep } from './cdsSimulation';

const EPS = 0.95;
const SWEEPS = 240;

test(`calibration on ${SWEEPS} simulated sweeps: the ${ANALYSIS_DEFAULTS.bootstrapConfidence * 100}% interval covers the truth at ≥ nominal − 5 points in every grid × noise kind; the bracket contains the interval`, () => {
  const tally = new Map<string, { n: number; bracket: number; interval: number }>();
  const add = (key: string, inBracket: boolean, inInterval: boolean) => {
    const t = tally.get(key) ?? { n: 0, bracket: 0, interval: 0 };
    t.n++; t.bracket += Number(inBracket); t.interval += Number(inInterval);
    tally.set(key, t);
  };
  for (let i = 0; i < SWEEPS; i++) {
    const s = simulateSweep(i, EPS);
    const c = criticalDataSize(s.runs, EPS, { bootstrapResamples: 400 });
    const [below, above] = c.bracket!;
    // The bracket is never narrower than the interval (null = open at that end).
    assert.ok(below === null || (c.low !== null && below <= c.low), `sweep ${i}: bracket ${below} ≤ low ${c.low}`);
    assert.ok(above === null || (c.high !== null && c.high <= above), `sweep ${i}: high ${c.high} ≤ bracket ${above}`);
    const inBracket = (below === null || below <= s.truth) && (above === null || s.truth <= above);
    const inInterval = (c.low === null || c.low <= s.truth) && (c.high === null || s.truth <= c.high);
    add('all', inBracket, inInterval);
    add(`${s.grid} grid, ${s.kind}`, inBracket, inInterval);
    add(`${s.seeds <= 4 ? '2–4' : s.seeds <= 7 ? '5–7' : '8–11'} seeds`, inBracket, inInterval);
  }
  const nominal = ANALYSIS_DEFAULTS.bootstrapConfidence;
  const lines = [...tally].map(([k, t]) => `${k}: n=${t.n} interval ${(t.interval / t.n).toFixed(3)} bracket ${(t.bracket / t.n).toFixed(3)}`);
  for (const [key, t] of tally) {
    assert.ok(t.interval / t.n >= nominal - 0.05, `${key}: interval coverage ${t.interval / t.n} < ${nominal - 0.05}\n${lines.join('\n')}`);
  }
  const all = tally.get('all')!;
  assert.ok(all.bracket / all.n >= 0.95, `bracket ${all.bracket / all.n}\n${lines.join('\n')}`);
  console.log(lines.join('\n'));
});
