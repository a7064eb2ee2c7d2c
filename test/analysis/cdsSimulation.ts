// Simulated sweeps with a known critical data size, for the calibration test of cds.ts.
// The expected converged accuracy against data size n is a logistic in log n from a floor `lo` to
// a ceiling `hi`; runs scatter around it in one of two ways, both seen in real sweeps:
//   'shift': each seed groks at its own place (its curve is shifted in log n by N(0, tau)): the
//            outcomes are bimodal near the transition, like memorize-or-generalize seeds;
//   'noise': each run is the expected curve plus N(0, sigma), clipped to [0, 1].
// The true CDS is where the EXPECTED accuracy (over seeds) crosses ε, found by bisection.
import type { DataRun } from '../../src/analysis/cds';
import { Rng } from '../../src/util/rng';

export interface SimSweep {
  truth: number;
  runs: DataRun[];
  sizes: number[];
  seeds: number;
  kind: 'shift' | 'noise';
  grid: 'coarse' | 'fine';
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
}

/** One simulated sweep; `index` picks the grid kind, noise kind and seed count deterministically. */
export function simulateSweep(index: number, eps: number): SimSweep {
  const rng = new Rng(1000 + index, 0x5117);
  const kind = index % 2 === 0 ? 'shift' : 'noise';
  const grid = index % 4 < 2 ? 'coarse' : 'fine';
  const seeds = 2 + (index % 10); // 2..11
  const lo = 0.3 * rng.uniform();
  const hi = 0.975 + 0.025 * rng.uniform();
  const mu = Math.log(200 + 2000 * rng.uniform()); // logistic centre
  const width = 0.05 + 0.25 * rng.uniform(); // in log n
  const tau = 0.05 + 0.2 * rng.uniform();
  const sigma = 0.02 + 0.08 * rng.uniform();
  // Quadrature nodes for the seed shift (standard normal, 41 points on ±4σ).
  const nodes = Array.from({ length: 41 }, (_, i) => -4 + (8 * i) / 40);
  const weights = nodes.map((z) => Math.exp(-z * z / 2));
  const wsum = weights.reduce((a, b) => a + b, 0); // weights[i] is nodes[i]'s, read below with '!'
  const expected = (n: number) => {
    if (kind === 'noise') return lo + (hi - lo) * logistic((Math.log(n) - mu) / width);
    let s = 0;
    nodes.forEach((z, i) => { s += weights[i]! * (lo + (hi - lo) * logistic((Math.log(n) - mu - tau * z) / width)); });
    return s / wsum;
  };
  // The clipped noise changes the mean near 1: take the expectation of the clipped value.
  const expectedClipped = (n: number) => {
    if (kind === 'shift') return expected(n);
    const m = expected(n);
    let s = 0;
    nodes.forEach((z, i) => { s += weights[i]! * Math.min(1, Math.max(0, m + sigma * z)); });
    return s / wsum;
  };
  let a = 1, b = 1e6;
  for (let k = 0; k < 200; k++) { const m = Math.sqrt(a * b); if (expectedClipped(m) >= eps) b = m; else a = m; }
  const truth = Math.sqrt(a * b);
  // A grid around the truth: coarse = 3–5 sizes with ratio 1.3–2, fine = 8–12 sizes with ratio 1.03–1.1,
  // placed at a random offset so the truth falls anywhere inside.
  const count = grid === 'coarse' ? 3 + rng.int(3) : 8 + rng.int(5);
  const ratio = grid === 'coarse' ? 1.3 + 0.7 * rng.uniform() : 1.03 + 0.07 * rng.uniform();
  const start = Math.log(truth) - (0.5 + rng.uniform() * (count - 2)) * Math.log(ratio);
  const sizes = Array.from({ length: count }, (_, i) => Math.round(Math.exp(start + i * Math.log(ratio))));
  const runs: DataRun[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const shift = tau * gaussian(rng);
    for (const n of sizes) {
      const acc = kind === 'shift'
        ? lo + (hi - lo) * logistic((Math.log(n) - mu - shift) / width)
        : Math.min(1, Math.max(0, expected(n) + sigma * gaussian(rng)));
      runs.push({ params: { seed }, dataSize: n, seed, valAcc: acc });
    }
  }
  return { truth, runs, sizes, seeds, kind, grid };
}
