// `npm run bench` (scripts/run-bench.mjs builds, then runs this): the engine against PyTorch on the
// same cores, in paired, interleaved rounds, so that a burst of load on a shared machine hits both
// sides instead of one.
//   node --import tsx bench/paired.ts [--cases d32-m1,d128-m1,d32-m16] [--rounds 7] [--segment-ms 400]
//        [--steps N] [--warmup 3] [--threads N] [--profile-steps 5] [--json] [--no-torch]
// (from the repository root, after `npm run build`; scripts/run-bench.mjs does both)
//
// One warm process per side and configuration, started and warmed up before any timing: the engine
// (bench/engine.ts --serve, T worker threads) and PyTorch (bench/reference/bench.py --serve, Debian's
// torch in /usr/bin/python3), one process per torch configuration. Each case then runs `rounds`
// rounds; a round is one segment (a few steps, about --segment-ms of wall time) of each side, ours
// first in even rounds and last in odd ones (A B | B A | ...). Per round: CPU ms per model-step (all
// threads and processes of the side) and wall ms per step (the segment's wall / steps) on each side,
// and their ratio torch / ours. Reported per case: the median over the rounds of each side's numbers
// and of the paired ratios (the same estimator on both sides), the ratios' min-max and interquartile
// range, and the load: the 1-min load average at each segment's ends and other processes' CPU use
// during the segments (/proc/stat). A case is "noisy" when the load average exceeds the cores in use,
// others used more than half a core, or the ratios' middle half is wider than ±10% (pairedStats.ts).
//
// Same cores on both sides: a single-model case runs torch with one torch thread and T OpenBLAS
// threads, and with one and one; a many-model case compares throughput (models × steps per second,
// wall) with T processes of one thread each (every process training its share of the models in a
// loop, `procs`) and with all models batched with bmm (1 torch thread, T OpenBLAS threads). Torch's
// configuration on each measure is the one with the least median over the rounds; a configuration
// more than 1.5× behind on both measures in its warm-up is dropped (said in the output).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { bestByMedian, keepConfigs, median, noisyReasons, othersCores, pairedRatios, roundOrder, stepsFor, summarize, type Summary } from './pairedStats';

const { values } = parseArgs({ options: {
  cases: { type: 'string', default: 'd32-m1,d128-m1,d32-m16' },
  rounds: { type: 'string', default: '7' },
  'segment-ms': { type: 'string', default: '400' },
  steps: { type: 'string' },
  warmup: { type: 'string', default: '3' },
  threads: { type: 'string', default: String(availableParallelism()) },
  'profile-steps': { type: 'string', default: '5' },
  json: { type: 'boolean', default: false },
  torch: { type: 'boolean', default: false },
  'no-torch': { type: 'boolean', default: false },
} });
const T = Number(values.threads);
const ROUNDS = Number(values.rounds);
const MIN_SEGMENT_STEPS = 6;
if (!(ROUNDS >= 1)) throw new Error(`--rounds ${values.rounds}: a whole number ≥ 1`);
const PYTHON = '/usr/bin/python3';
/** Pause before each segment: OpenBLAS's threads spin for a while after their last product. */
const SETTLE_MS = 100;

/** A warm process that answers one JSON line on stdout for each JSON line on its stdin. */
class Peer {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;

  constructor(readonly name: string, cmd: string, argv: string[], env: Record<string, string> = {}) {
    this.child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      if (this.waiting) { const w = this.waiting; this.waiting = null; w(line); } else this.lines.push(line);
    });
    rl.on('close', () => { this.ended = true; if (this.waiting) this.waiting(null); });
  }

  /** The next JSON line it prints. */
  next<R = Record<string, unknown>>(): Promise<R> {
    const parse = (line: string | null): R => {
      if (line === null) throw new Error(`bench: ${this.name} exited (code ${this.child.exitCode}) without answering`);
      return JSON.parse(line) as R;
    };
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(parse(queued));
    if (this.ended) return Promise.resolve().then(() => parse(null));
    return new Promise<string | null>((resolve) => { this.waiting = resolve; }).then(parse);
  }

  ask<R = Record<string, unknown>>(cmd: object): Promise<R> {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return this.next<R>();
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.stdin!.end();
    });
  }
}

interface StepsReply { steps: number; wallMs: number; cpuMs: number }

/** The machine's busy CPU ticks (all cores, /proc/stat) and 1-min load average; NaN ticks off Linux. */
function machine(): { busy: number; load: number } {
  const load = Number(loadavg()[0]!.toFixed(2));
  if (!existsSync('/proc/stat')) return { busy: NaN, load };
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait are busy
  const busy = cpu.slice(0, 8).reduce((a, x, i) => (i === 3 || i === 4 ? a : a + x), 0);
  return { busy, load };
}
const HZ = 100; // USER_HZ, the unit of /proc/stat on every Linux architecture node runs on

interface Segment { cpuMs: number; wallMs: number; load: [number, number]; others: number }

/** steps steps of one side, timed by the side itself; the machine's load around them. */
async function segment(peer: Peer, steps: number, models: number): Promise<Segment> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const m0 = machine(), t0 = performance.now();
  const r = await peer.ask<StepsReply>({ steps });
  const wall = performance.now() - t0, m1 = machine();
  return { cpuMs: r.cpuMs / steps / models, wallMs: r.wallMs / steps, load: [m0.load, m1.load], others: othersCores(m1.busy - m0.busy, HZ, r.cpuMs, wall) };
}

/** Warm-up: one step (first-touch, allocation), then the rest; ms per step of the rest. */
async function warmUp(peer: Peer, warmup: number): Promise<{ wallMs: number; cpuMs: number }> {
  await peer.ask({ steps: 1 });
  const r = await peer.ask<StepsReply>({ steps: Math.max(1, warmup - 1) });
  return { wallMs: r.wallMs / r.steps, cpuMs: r.cpuMs / r.steps };
}

interface TorchConfig { name: string; peer: Peer }

/** Torch's configurations on T cores for case `name` (see the top of this file). */
function torchConfigs(name: string, models: number): TorchConfig[] {
  const py = (label: string, pyCase: string, threads: number, blas: number): TorchConfig => ({
    name: label,
    peer: new Peer(`torch ${label}`, PYTHON, ['bench/reference/bench.py', '--serve', '--cases', pyCase, '--threads', String(threads), '--blas-threads', String(blas)]),
  });
  if (models > 1) return [py(`procs×${T}`, `${name}-procs`, T, 1), py(`bmm t1/b${T}`, `${name}-bmm`, 1, T)];
  return [py(`loop t1/b${T}`, name, 1, T), ...(T > 1 ? [py('loop t1/b1', name, 1, 1)] : [])];
}

const round = (x: number, d = 2): number | null => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const spreadOf = (s: Summary, d = 2) => [round(s.min, d), round(s.max, d)];
const iqrOf = (s: Summary, d = 2) => [round(s.q1, d), round(s.q3, d)];
const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
// Zen 3 (and other AVX2 cores with two FMA pipes) do 2 × 256-bit FMA per cycle: twice the 128-bit
// rate that WASM SIMD can use (AMD, Software Optimization Guide for AMD EPYC 7003 Processors, 56665).
const NATIVE_WIDTH_FACTOR = 2;

async function benchCase(name: string, engine: Peer, peakCore: number, withTorch: boolean): Promise<Record<string, unknown>> {
  const warmup = Number(values.warmup), target = Number(values['segment-ms']);
  const fixedSteps = values.steps ? Number(values.steps) : null;
  const opened = await engine.ask<{ dModel: number; models: number }>({ open: name });
  const M = opened.models;
  // torch imports while ours warms up; each side's warm-up then runs alone
  let torch = withTorch ? torchConfigs(name, M) : [];
  const oursWarm = await warmUp(engine, warmup);
  await Promise.all(torch.map((c) => c.peer.next()));
  const trials: { name: string; wallMs: number; cpuMs: number }[] = [];
  for (const c of torch) trials.push({ name: c.name, ...(await warmUp(c.peer, warmup)) });
  const { dropped } = withTorch ? keepConfigs(trials) : { dropped: [] as string[] };
  for (const c of torch.filter((x) => dropped.includes(x.name))) await c.peer.close();
  torch = torch.filter((c) => !dropped.includes(c.name));

  // at least MIN_SEGMENT_STEPS steps a segment: at d=128 a 400 ms segment held 2-3 steps, and
  // torch's step time there jumps between ~77 and ~125 ms, so 5 such rounds gave 0.68-1.15
  const steps = new Map<string, number>([['ours', fixedSteps ?? stepsFor(oursWarm.wallMs, target, MIN_SEGMENT_STEPS)]]);
  for (const t of trials) if (!dropped.includes(t.name)) steps.set(t.name, fixedSteps ?? stepsFor(t.wallMs, target, MIN_SEGMENT_STEPS));
  const segs = new Map<string, Segment[]>([['ours', []], ...torch.map((c): [string, Segment[]] => [c.name, []])]);
  const peers = new Map<string, Peer>([['ours', engine], ...torch.map((c): [string, Peer] => [c.name, c.peer])]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of roundOrder(r, 'ours', torch.map((c) => c.name))) {
      segs.get(side)!.push(await segment(peers.get(side)!, steps.get(side)!, M));
    }
  }
  const prof = await engine.ask<{ flopPerModelStep: number; profile: Record<string, number> }>({ profile: Number(values['profile-steps']) });
  await engine.ask({ close: true });
  await Promise.all(torch.map((c) => c.peer.close()));

  const ours = segs.get('ours')!;
  const oursCpu = ours.map((s) => s.cpuMs), oursWall = ours.map((s) => s.wallMs);
  const oursCpuMed = median(oursCpu), oursWallMed = median(oursWall);
  const flop = prof.flopPerModelStep;
  const r: Record<string, unknown> = {
    case: name, models: M, dModel: opened.dModel, threads: T, rounds: ROUNDS,
    oursWallMs: round(oursWallMed), oursCpuMsPerModelStep: round(oursCpuMed, 3),
    // achieved: FLOP of the products over CPU time (per core) and over wall time (whole machine)
    gflops: round(flop / oursCpuMed / 1e6, 1),
    gflopsWall: round((flop * M) / oursWallMed / 1e6, 1),
    peakGflopsPerCoreWasm: round(peakCore / 1e9, 1),
    peakFraction: round(flop / oursCpuMed / 1e6 / (peakCore / 1e9), 3),
    oursModelStepsPerSec: round((M * 1000) / oursWallMed, 1),
    steps: Object.fromEntries(steps), droppedTorch: dropped, warmup: { ours: oursWarm, torch: trials },
    flopPerModelStep: flop, profile: prof.profile,
  };
  const oursLoads = ours.flatMap((s) => s.load), oursOthers = median(ours.map((s) => s.others));
  let headline = summarize(oursCpu.map(() => NaN)), loadMax = Math.max(...oursLoads), othersBySide = [oursOthers];
  const load: Record<string, unknown> = { ours: range(oursLoads), oursOthersCores: round(oursOthers) };
  if (torch.length > 0) {
    const cpuBy = Object.fromEntries(torch.map((c) => [c.name, segs.get(c.name)!.map((s) => s.cpuMs)]));
    const wallBy = Object.fromEntries(torch.map((c) => [c.name, segs.get(c.name)!.map((s) => s.wallMs)]));
    const cpuMode = bestByMedian(cpuBy), wallMode = bestByMedian(wallBy);
    const cpuRatios = pairedRatios(cpuBy[cpuMode]!, oursCpu), wallRatios = pairedRatios(wallBy[wallMode]!, oursWall);
    const cpuS = summarize(cpuRatios), wallS = summarize(wallRatios);
    const torchCpu = median(cpuBy[cpuMode]!), torchWall = median(wallBy[wallMode]!);
    // a sweep's number is its throughput (models × steps per second: the wall ratio); one model's, its CPU time per step
    headline = M > 1 ? wallS : cpuS;
    const torchSegs = torch.flatMap((c) => segs.get(c.name)!);
    const torchLoads = torchSegs.flatMap((s) => s.load), torchOthers = median(torchSegs.map((s) => s.others));
    loadMax = Math.max(loadMax, ...torchLoads);
    othersBySide = [oursOthers, torchOthers];
    Object.assign(load, { torch: range(torchLoads), torchOthersCores: round(torchOthers) });
    Object.assign(r, {
      ratio: round(headline.median), ratioMeasure: M > 1 ? 'throughput' : 'cpu', ratioSpread: spreadOf(headline), ratioIqr: iqrOf(headline),
      cpuRatio: round(cpuS.median), cpuRatioSpread: spreadOf(cpuS), cpuRatioIqr: iqrOf(cpuS),
      wallRatio: round(wallS.median), wallRatioSpread: spreadOf(wallS), wallRatioIqr: iqrOf(wallS),
      torchMode: wallMode, torchWallMs: round(torchWall), torchCpuMode: cpuMode, torchCpuMsPerModelStep: round(torchCpu, 3),
      torchModelStepsPerSec: round((M * 1000) / torchWall, 1),
      torchGflops: round(flop / torchCpu / 1e6, 1),
      torchPeakFraction: round(flop / torchCpu / 1e6 / ((NATIVE_WIDTH_FACTOR * peakCore) / 1e9), 3),
      torchAll: torch.map((c) => ({
        mode: c.name, wallMs: round(median(wallBy[c.name]!)), cpuMsPerModelStep: round(median(cpuBy[c.name]!), 3),
        modelStepsPerSec: round((M * 1000) / median(wallBy[c.name]!), 1),
      })),
      perRound: { oursCpu: oursCpu.map((x) => round(x, 3)), torchCpu: cpuBy[cpuMode]!.map((x) => round(x, 3)), cpuRatio: cpuRatios.map((x) => round(x, 3)),
        oursWall: oursWall.map((x) => round(x)), torchWall: wallBy[wallMode]!.map((x) => round(x)), wallRatio: wallRatios.map((x) => round(x, 3)) },
    });
  } else {
    r.perRound = { oursCpu: oursCpu.map((x) => round(x, 3)), oursWall: oursWall.map((x) => round(x)) };
  }
  const reasons = noisyReasons({ loadMax, cores: T, othersCores: othersBySide, ratios: torch.length > 0 ? headline : summarize([1]) });
  Object.assign(r, { load, noisy: reasons.length > 0, noisyReasons: reasons });
  return r;
}

async function main(): Promise<void> {
  const torchInstalled = await new Promise<boolean>((resolve) => {
    spawn(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).on('exit', (code) => resolve(code === 0)).on('error', () => resolve(false));
  });
  const withTorch = !values['no-torch'] && torchInstalled;
  if (values.torch && !torchInstalled) console.error('bench: PyTorch not installed (scripts/install-torch.sh); engine only');
  const engine = new Peer('engine', process.execPath, ['--import', 'tsx', 'bench/engine.ts', '--serve', '--threads', String(T)]);
  const head = await engine.next<{ kernels: { name: string; fma: string }; peakFlopsPerCore: number; load: number }>();
  const started = machine().load, t0 = performance.now();
  const results: Record<string, unknown>[] = [];
  for (const name of values.cases!.split(',').map((c) => c.trim()).filter(Boolean)) {
    const r = { ...(await benchCase(name, engine, head.peakFlopsPerCore, withTorch)), kernels: head.kernels.name, fma: head.kernels.fma };
    results.push(r);
    if (values.json) console.log(JSON.stringify(r));
  }
  await engine.close();
  if (!values.json) printTables(results as unknown as CaseResult[], head, started, (performance.now() - t0) / 1000);
}

interface CaseResult {
  case: string; models: number; threads: number; steps: Record<string, number>; droppedTorch: string[];
  oursCpuMsPerModelStep: number; torchCpuMsPerModelStep?: number; cpuRatio?: number; cpuRatioSpread?: number[];
  oursWallMs: number; torchWallMs?: number; wallRatio?: number; wallRatioSpread?: number[];
  gflops: number; peakFraction: number; torchGflops?: number; torchPeakFraction?: number;
  oursModelStepsPerSec: number; torchModelStepsPerSec?: number; torchMode?: string; torchCpuMode?: string;
  torchAll?: { mode: string; modelStepsPerSec: number }[];
  load: { ours: number[]; torch?: number[]; oursOthersCores: number; torchOthersCores?: number };
  noisy: boolean; noisyReasons: string[]; profile: Record<string, number>;
}

function printTables(results: CaseResult[], head: { kernels: { name: string; fma: string }; peakFlopsPerCore: number; load: number }, loadAtStart: number, seconds: number): void {
  const fmt = (x: unknown, w: number, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-').padStart(w);
  const span = (xs: number[] | undefined, d = 2) => (xs ? `${fmt(xs[0], 0, d).trim()}-${fmt(xs[1], 0, d).trim()}` : '-');
  const peak = head.peakFlopsPerCore;
  console.log(`\nkernels: ${head.kernels.name} (fma ${head.kernels.fma}); measured 128-bit WASM SIMD peak ${fmt(peak / 1e9, 0)} GFLOP/s per core`
    + ` (${T} cores: ${fmt((T * peak) / 1e9, 0)}; native AVX2 ≈ ${NATIVE_WIDTH_FACTOR}× that); load ${loadAtStart} at the start; ${ROUNDS} paired rounds per case (ABBA), ${seconds.toFixed(0)} s`);
  console.log('\nmedians over the rounds; torch/ours = median of the paired per-round ratios [min-max]; load = 1-min load average at the ends of each side\'s segments (others: other processes\' CPU use during them, cores)');
  const W1 = 50, W2 = 38, W3 = 31;
  console.log(`${''.padEnd(12)}${'CPU ms per model-step'.padEnd(W1 - 12)}${'wall ms per step'.padEnd(W2)}${'GFLOP/s per core (peak frac)'.padEnd(W3)}load (others)`);
  console.log(`${'case'.padEnd(12)}${'ours'.padStart(8)}${'torch'.padStart(8)}${'torch/ours'.padStart(11)} [min-max]`.padEnd(W1)
    + `${'ours'.padStart(8)}${'torch'.padStart(8)}${'torch/ours'.padStart(11)} [min-max]`.padEnd(W2) + '  ours (frac)   torch (frac)'.padEnd(W3) + 'ours / torch');
  for (const r of results) {
    console.log(`${r.case.padEnd(12)}${fmt(r.oursCpuMsPerModelStep, 8, 2)}${fmt(r.torchCpuMsPerModelStep, 8, 2)}${fmt(r.cpuRatio, 11, 2)} [${span(r.cpuRatioSpread)}]`.padEnd(W1)
      + `${fmt(r.oursWallMs, 8)}${fmt(r.torchWallMs, 8)}${fmt(r.wallRatio, 11, 2)} [${span(r.wallRatioSpread)}]`.padEnd(W2)
      + `${fmt(r.gflops, 6)} (${fmt(r.peakFraction, 4, 2)})  ${fmt(r.torchGflops, 6)} (${fmt(r.torchPeakFraction, 4, 2)})`.padEnd(W3)
      + `${span(r.load.ours)} (${fmt(r.load.oursOthersCores, 0, 2).trim()}) / ${span(r.load.torch)} (${fmt(r.load.torchOthersCores, 0, 2).trim()})`
      + `${r.noisy ? `  NOISY: ${r.noisyReasons.join(', ')}` : ''}`);
  }
  console.log('\ntorch\'s configuration (least median), steps per segment, dropped after warm-up:');
  for (const r of results) {
    const steps = Object.entries(r.steps).map(([k, v]) => `${k} ${v}`).join(', ');
    console.log(`  ${r.case}: ${r.torchCpuMode ?? '-'} (CPU), ${r.torchMode ?? '-'} (wall); steps ${steps}${r.droppedTorch.length ? `; dropped ${r.droppedTorch.join(', ')} (> 1.5× behind on both)` : ''}`);
  }
  const sweeps = results.filter((x) => x.models > 1);
  if (sweeps.length) console.log('\nsweep throughput (model-steps per second, whole machine, wall; ratio = median of the paired rounds):');
  for (const r of sweeps) {
    const alt = (r.torchAll ?? []).map((t) => `${t.mode} ${fmt(t.modelStepsPerSec, 0, 1).trim()}`).join(', ');
    console.log(`  ${r.case}: ours ${r.oursModelStepsPerSec}, torch best ${r.torchModelStepsPerSec ?? '-'} (${alt}): ${fmt(r.wallRatio, 0, 2).trim()}× [${span(r.wallRatioSpread)}];`
      + ` from CPU time (all ${T} cores busy): ${fmt(r.cpuRatio, 0, 2).trim()}× [${span(r.cpuRatioSpread)}]`);
  }
  const noisy = results.filter((r) => r.noisy);
  if (noisy.length) console.log(`\nNOISY (${noisy.map((r) => r.case).join(', ')}): the machine was busy or the rounds disagree; rerun when the load is below ${T} (or with --rounds 9).`);
  console.log('\nprofile (CPU ms per model-step, one model on one thread, total untimed; the groups its shares by a pass with every kernel call timed; glue = JS outside kernels):');
  console.log(`case         matmul  attention  softmaxCE  optimizer  elementwise   glue   total   ${T} threads (vs total)`);
  for (const r of results) {
    const p = r.profile;
    console.log(`${r.case.padEnd(12)}${fmt(p.matmul, 7, 2)}${fmt(p.attention, 11, 2)}${fmt(p.softmaxCE, 11, 2)}${fmt(p.optimizer, 11, 2)}${fmt(p.elementwise, 13, 2)}${fmt(p.glue, 7, 2)}${fmt(p.cpu, 8, 2)}`
      + `${fmt(r.oursCpuMsPerModelStep, 10, 2)} (${fmt(r.oursCpuMsPerModelStep / (p.cpu ?? NaN), 4, 2)}×)`);
  }
}

void main().catch((e: unknown) => { console.error(e); process.exit(1); });
