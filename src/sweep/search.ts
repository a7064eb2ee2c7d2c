// Adaptive critical-data-size search (config `search`): instead of the whole data-size grid, the
// analysis module's planner bisects the data size of each group (every other axis), a few seeds per
// probe. Each round trains the probes it asks for and feeds their final validation accuracy back.
// Resuming walks the same rounds again: probes already done are not retrained (the planner is
// deterministic given the same results), so no search state needs saving beyond the runs.
import { nextProbes, planCdsSearch, type Probe, type ProbeResult, type SearchStep } from '../analysis';
import type { Manifest, RunParams, SearchSummary } from '../store/types';
import type { SweepControl } from './control';
import type { SweepDeps } from './deps';
import type { RunLedger } from './ledger';
import type { PlannedRun } from './schedule';
import type { RunTrainer } from './trainRuns';

export interface SearchContext {
  manifest: Manifest;
  ledger: RunLedger;
  trainer: RunTrainer;
  deps: SweepDeps;
  control: SweepControl;
}

const SEED_AXIS = 'seed';

export async function runSearch(c: SearchContext): Promise<void> {
  const config = c.manifest.config;
  const search = config.search!;
  const groups = uniqueParams(c.deps.expand(config).map((r) => withoutSeed(r.params)));
  let step: SearchStep = nextProbes(planCdsSearch(search, groups, { epsilon: config.analysis.epsilon, seedBase: config.seed }), []);
  c.ledger.setSearch(searchSummary(step));
  while (!step.done) {
    if (step.probes.length === 0) throw new Error('the search planner asked for no probes before finishing');
    const runs = step.probes.map((p) => probeRun(c, p));
    c.trainer.meter.runsTotal += c.ledger.addRuns(runs);
    await c.trainer.train(runs);
    if (c.control.cancelled) return;
    const results: ProbeResult[] = [];
    const failed: string[] = [];
    step.probes.forEach((p, i) => {
      const id = runs[i]!.id; // one run per probe
      const valAcc = c.ledger.status(id) === 'done' ? c.ledger.finalValAcc(id) : null;
      if (valAcc === null) failed.push(id);
      else results.push({ group: p.group, dataSize: p.dataSize, seed: p.seed, valAcc });
    });
    if (failed.length) throw new Error(`the search cannot go on: probe run(s) ${failed.join(', ')} did not finish`);
    step = nextProbes(step.state, results);
    c.ledger.setSearch(searchSummary(step));
  }
}

/** One probe as a run: the group's params, the search axis at the probed size, the probe's seed. */
function probeRun(c: SearchContext, p: Probe): PlannedRun {
  const config = c.manifest.config;
  const axes: Record<string, Array<number | string | boolean>> = {};
  for (const [k, v] of Object.entries(p.params)) axes[k] = [v];
  axes[config.search!.axis] = [p.dataSize];
  axes[SEED_AXIS] = [p.seed];
  // expandSweep of a one-point grid gives the run the same id scheme and resolved config as a grid run.
  const [run] = c.deps.expand({ ...config, search: undefined, sweep: axes });
  if (!run) throw new Error(`probe at ${p.dataSize} examples, seed ${p.seed}: its one-point grid expanded to no run`);
  return run;
}

function withoutSeed(params: RunParams): RunParams {
  const { [SEED_AXIS]: _seed, ...rest } = params;
  return rest;
}

function uniqueParams(list: RunParams[]): RunParams[] {
  const seen = new Map<string, RunParams>();
  for (const p of list) seen.set(JSON.stringify(p), p);
  return [...seen.values()];
}

function searchSummary(step: SearchStep): SearchSummary {
  const s = step.state;
  return {
    axis: s.axis,
    epsilon: s.epsilon,
    done: step.done,
    groups: s.groups.map((g) => ({ params: g.params, lo: g.lo, hi: g.hi, phase: g.phase, probes: g.results.length, estimate: g.estimate })),
  };
}
