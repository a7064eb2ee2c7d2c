// Judges the early forecast (src/analysis/forecast.ts) on finished sweeps it was not built on:
// regime accuracy and the error on the step where val reaches ε at 25% and 50% of each run's
// budget, and what forecast early stop (confidence 0.8, not before 25%) would save and change.
// The sweeps should be trained without early stop (--no-early-stop), so every run has its whole budget.
//
//   npx tsx scripts/forecast-eval.ts DIR [DIR...]      (markdown on stdout: docs/progress.md)
import { analysisOptionsOf, checkForecast, replayForecastStop, type ForecastCheck } from '../src/analysis/index';
import { readManifest, readRunMetrics, listRuns } from '../src/store/reader';

const dirs = process.argv.slice(2);
if (dirs.length === 0) { console.error('usage: tsx scripts/forecast-eval.ts DIR [DIR...]'); process.exit(2); }
const f0 = (x: number | null) => (x === null ? '-' : String(Math.round(x)));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b), mid = s.length >> 1;
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

for (const dir of dirs) {
  const manifest = readManifest(dir);
  const budget = manifest.config.training.steps;
  const opts = analysisOptionsOf(manifest.config);
  const runs = listRuns(dir).filter((r) => r.status === 'done');
  console.log(`\n### ${manifest.name} (${runs.length} runs, budget ${budget} steps, ε ${opts.epsilon})\n`);
  const all: Record<string, ForecastCheck[]> = { '0.25': [], '0.5': [] };
  const rows: string[] = [];
  let saved = 0, fired = 0, changed = 0, budgetSum = 0;
  const wrong: string[] = [];
  for (const run of runs) {
    const history = readRunMetrics(dir, run.id);
    const checks = [checkForecast(history, budget, 0.25, opts), checkForecast(history, budget, 0.5, opts)] as const;
    checks.forEach((c) => (all[String(c.fraction)] ??= []).push(c));
    const stop = replayForecastStop(history, budget, 0.8, 0.25, opts);
    budgetSum += history.at(-1)!.step;
    if (stop.stopStep !== null) { fired++; saved += stop.stepsSaved; if (stop.regimeAfterStop !== stop.trueRegime) changed++; }
    const c = (k: ForecastCheck) => `${k.forecast.regime}${k.regimeRight ? '' : ' ✗'} (${k.forecast.confidence}) ${f0(k.forecast.valReachStep)}`;
    rows.push(`| ${run.id} | ${checks[0].trueRegime} | ${f0(checks[0].trueValReachStep)} | ${c(checks[0])} | ${c(checks[1])} | ${stop.stopStep === null ? '-' : `${stop.stopStep} → ${stop.regimeAfterStop}${stop.regimeAfterStop !== stop.trueRegime ? ' ✗' : ''}`} |`);
    for (const k of checks) if (!k.regimeRight) wrong.push(`${run.id} at ${k.fraction * 100}%: forecast ${k.forecast.regime} (${k.forecast.reason}), outcome ${k.trueRegime}`);
  }
  console.log('| run | outcome | val ≥ ε at | forecast at 25% (confidence) val ≥ ε at | at 50% | forecast early stop at → regime judged |');
  console.log('|---|---|---|---|---|---|');
  rows.forEach((r) => console.log(r));
  console.log('');
  for (const [fr, cs] of Object.entries(all)) {
    const right = cs.filter((c) => c.regimeRight).length;
    const confident = cs.filter((c) => c.forecast.confidence >= 0.8);
    // Only where val had not reached ε by the cut: elsewhere the step is observed, not forecast.
    const errs = cs.filter((c) => c.trueValReachStep === null || c.trueValReachStep > c.fraction * budget).map((c) => c.reachError).filter((e): e is number => e !== null);
    const undecided = cs.filter((c) => !c.forecast.decided);
    console.log(`- at ${Number(fr) * 100}% of the budget: regime right ${right}/${cs.length} (not yet observed: ${undecided.filter((c) => c.regimeRight).length}/${undecided.length}; with confidence ≥ 0.8: ${confident.filter((c) => c.regimeRight).length}/${confident.length}); ` +
      `val ≥ ε step error median ${f0(median(errs))}, max ${f0(errs.length ? Math.max(...errs) : null)} over the ${errs.length} runs where both reach it and it was not yet observed; reach/no-reach wrong on ${cs.filter((c) => c.reachMissed).length}`);
  }
  console.log(`- forecast early stop (confidence ≥ 0.8, after 25%): fires on ${fired}/${runs.length} runs, saves ${saved} of ${budgetSum} steps (${((100 * saved) / Math.max(1, budgetSum)).toFixed(0)}%), changes the judged regime of ${changed}`);
  if (wrong.length) { console.log('\nWrong forecasts:\n'); wrong.forEach((w) => console.log(`- ${w}`)); }
}
