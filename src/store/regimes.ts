// The regimes a run is labelled with (Huang et al. 2024's four, plus no-learning, unsettled and diverged),
// listed once. The order is the tie-break of a regime-map cell's majority (the earlier wins) and
// the order every view lists them in (lens, legend, table, CSV columns). No imports: the webview
// bundles use it too.
export const REGIMES = ['progression', 'grokking', 'semi-grokking', 'ungrokking', 'no-learning', 'unsettled', 'diverged'] as const;

export type Regime = typeof REGIMES[number];

export function isRegime(x: unknown): x is Regime {
  return typeof x === 'string' && (REGIMES as readonly string[]).includes(x);
}
