// GPU backend speed: ms per lock-step training step on the setup of bench/engine.ts (P=97, a+b,
// N=3000 full batch, 4 heads, MLP 4d, ReLU, no LayerNorm), and an estimate of the circuit-competition
// paper-scale grid (hidden 4–100 × train 2600–5000 × 11 seeds, P=113) from measured batches.
// `npm run bench -- --device gpu [options]` runs it (or: node --import tsx bench/gpu.ts [options]).
//   --cases d32-m1,d128-m1,d32-m16   --steps 50 --warmup 5 --n 3000 --p 97
//   --grid                            also estimate the grid (one probe batch per hidden width)
//   --grid-hidden 4,8,...,100 --grid-train 2600,...,5000 --grid-seeds 11 --grid-steps 20000
//   --grid-eval-every 100 --grid-probe-steps 20 --grid-kind transformer|mlp
//   --grid-config FILE                time a sweep config's grid instead (e.g. examples/repro-cds-vs-model.full.grok.json)
//   --grid-sub-batch K                with --grid-config: time K models of each first batch, scaled (slow adapters)
//   --budget-s S                      per case / for the grid: stop timing after S seconds
//   --allow-software                  accept a software adapter (llvmpipe: a smoke test, not a timing)
//   --probe                           only list the adapters tried and the chosen one's limits
// Backend: Dawn's default (Vulkan on Linux); GROK_WEBGPU_BACKEND=opengles|vulkan picks one.
// Prints one JSON line per case, per grid width, and a grid summary.
import { parseArgs } from 'node:util';
import { selectDevice } from '../src/trainer/engine/webgpu/select';
import { additionData, benchCase, fixedGrid, gridFromConfig, type Select } from './gpuLib';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    cases: { type: 'string', default: 'd32-m1,d128-m1,d32-m16' },
    steps: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    n: { type: 'string', default: '3000' },
    p: { type: 'string', default: '97' },
    device: { type: 'string', default: 'gpu' },
    grid: { type: 'boolean', default: false },
    'grid-hidden': { type: 'string', default: '4,8,12,16,24,32,48,64,80,100' },
    'grid-train': { type: 'string', default: '2600,3000,3400,3800,4200,4600,5000' },
    'grid-seeds': { type: 'string', default: '11' },
    'grid-steps': { type: 'string', default: '20000' },
    'grid-eval-every': { type: 'string', default: '100' },
    'grid-probe-steps': { type: 'string', default: '20' },
    'grid-kind': { type: 'string', default: 'transformer' },
    'grid-config': { type: 'string' },
    'grid-sub-batch': { type: 'string' },
    'budget-s': { type: 'string' },
    'allow-software': { type: 'boolean', default: false },
    probe: { type: 'boolean', default: false },
  } });
  const budgetMs = values['budget-s'] ? Number(values['budget-s']) * 1000 : undefined;
  if (values.probe) {
    const c = await selectDevice('auto', { allowSoftware: values['allow-software'] });
    const limits = c.kind === 'gpu' ? Object.fromEntries(['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup']
      .map((k) => [k, (c.adapter.limits as unknown as Record<string, number>)[k]])) : null;
    console.log(JSON.stringify({ device: c.kind === 'gpu' ? c.description : 'cpu', tried: c.tried, limits }));
    return;
  }
  if (values.device !== 'gpu') throw new Error('bench/gpu.ts measures the GPU backend (--device gpu); bench/engine.ts measures the CPU engine');
  const select: Select = { pref: 'gpu', allowSoftware: values['allow-software'] };
  const data = await additionData(Number(values.p));
  if (values.cases) {
    for (const name of values.cases.split(',').filter((c) => c.trim())) {
      console.log(JSON.stringify(await benchCase(name.trim(), data, Number(values.n), select, { steps: Number(values.steps), warmup: Number(values.warmup), budgetMs })));
    }
  }
  if (values['grid-config']) {
    // A snapshot after every width ({"gridPartial": ...}: what a caller killing this at a time limit keeps), then the result.
    const grid = await gridFromConfig(values['grid-config'], select, {
      budgetMs: budgetMs ?? 600_000, probeSteps: Number(values['grid-probe-steps']), subBatch: values['grid-sub-batch'] ? Number(values['grid-sub-batch']) : undefined,
      log: (l) => console.error(l), onProgress: (g) => console.log(JSON.stringify({ gridPartial: g })),
    });
    console.log(JSON.stringify({ grid }));
  } else if (values.grid) {
    const list = (s: string | undefined): number[] => String(s).split(',').map(Number);
    await fixedGrid({
      hidden: list(values['grid-hidden']), trains: list(values['grid-train']), seeds: Number(values['grid-seeds']), steps: Number(values['grid-steps']),
      evalEvery: Number(values['grid-eval-every']), probeSteps: Number(values['grid-probe-steps']), kind: values['grid-kind'] as 'transformer' | 'mlp',
    }, select, (row) => console.log(JSON.stringify(row)));
  }
}

main().catch((e: unknown) => {
  console.error(`bench/gpu: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
