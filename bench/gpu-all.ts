// The GPU bench, unattended, in one command with a hard time limit: what a machine with a GPU and
// no network runs from the bundle (scripts/gpu-bundle.sh; `.gpu-bundle/run.sh all --out DIR`), and
// what runs here against llvmpipe (`node --import tsx bench/gpu-all.ts --allow-software --out DIR`).
//   1. the adapter Dawn finds (and its limits);
//   2. the GPU parity tests (test/gpu: every model kind against the CPU engine, 1e-4) on it;
//   3. bench/reference's cases on grok's WebGPU backend: one run at a time (d32-m1, d128-m1) and a
//      batch of 16 (d32-m16);
//   4. the same cases in PyTorch on CUDA, one at a time and batched (loop / bmm) — skipped, saying
//      why, where python3 has no torch or no CUDA;
//   5. Huang et al.'s grid (examples/repro-cds-vs-model.full.grok.json, early stop on): the first
//      batch of each width trained for a few steps, the whole grid extrapolated (gpuLib.gridFromConfig).
// Each phase gets a share of the time left; OUT/gpu-bench.json and OUT/gpu-bench.md are rewritten
// after every phase, so a run that is killed at the limit still leaves what it measured.
//   --out DIR (default gpu-bench-results)  --limit-s 540  --allow-software  --grid-config FILE
//   --steps 50 (timed steps per case at most)  --python PATH (default /usr/bin/python3, else python3)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectDevice } from '../src/trainer/engine/webgpu/select';
import type { CaseResult, GridResult } from './gpuLib';

interface Phase { status: 'ok' | 'failed' | 'skipped' | 'timeout'; seconds: number; note?: string }

interface Report {
  startedAt: string;
  host: string;
  cpus: string;
  node: string;
  limitS: number;
  backend: string | null;
  adapter: { description: string; tried: string[]; limits: Record<string, number> | null } | null;
  phases: Record<string, Phase>;
  parity: { pass: number; fail: number; skipped: number; failed: string[] } | null;
  grok: CaseResult[];
  torch: Array<Record<string, unknown>>;
  grid: GridResult | null;
  totalSeconds: number;
}

const CASES = ['d32-m1', 'd128-m1', 'd32-m16'];
const TORCH_CASES = 'd32-m1,d128-m1,d32-m16-loop,d32-m16-bmm';

/** Process groups of the children running now: killed whole (the test runner's per-file processes too). */
const running = new Set<number>();

function killGroup(pid: number): void {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

/**
 * Runs a command in its own process group, killed whole at `timeoutMs` (a test runner's per-file
 * children would otherwise go on computing through the next phases); its output, exit code and
 * whether it timed out.
 */
function run(cmd: string, args: string[], opts: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; out: string; timedOut: boolean }> {
  return new Promise((res) => {
    const p = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const pid = p.pid;
    if (pid) running.add(pid);
    let out = '', timedOut = false;
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => { timedOut = true; if (pid) killGroup(pid); }, Math.max(1000, opts.timeoutMs));
    const end = () => { clearTimeout(timer); if (pid) { killGroup(pid); running.delete(pid); } };
    p.on('error', (e) => { end(); res({ code: null, out: out + String(e), timedOut }); });
    p.on('close', (code) => { end(); res({ code, out, timedOut }); });
  });
}

/** TAP result lines of node's test runner (top level in Node 20, indented where nested), without per-file wrappers. */
function testResults(out: string): Array<{ ok: boolean; skipped: boolean; name: string }> {
  return [...out.matchAll(/^\s*(ok|not ok) \d+ - (.*)$/gm)]
    .filter((m) => !/\.test\.(js|ts)$/.test(m[2]!.trim()))
    .map((m) => ({ ok: m[1] === 'ok', skipped: /# SKIP/.test(m[2]!), name: m[2]! }));
}

/** bench/gpu: the bundle's plain JS next to this file, or a checkout's TypeScript through tsx. */
function benchArgs(): string[] {
  return existsSync('bench/gpu.js') ? ['bench/gpu.js'] : ['--import', 'tsx', 'bench/gpu.ts'];
}

/** JSON lines of a child's output. */
function jsonLines(out: string): Array<Record<string, unknown>> {
  return out.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l) as Record<string, unknown>; } catch { return {}; } });
}

/** The GPU tests: the bundle's plain JS (test/*.test.js), or a checkout's TypeScript (test/gpu/*.test.ts, through tsx). */
function parityCommand(): { args: string[] } | null {
  if (existsSync('test') && readdirSync('test').some((f) => f.endsWith('.test.js'))) {
    return { args: ['--test', '--test-concurrency=1', ...readdirSync('test').filter((f) => f.endsWith('.test.js')).map((f) => join('test', f))] };
  }
  if (existsSync('test/gpu')) {
    return { args: ['--import', 'tsx', '--test', '--test-concurrency=1', ...readdirSync('test/gpu').filter((f) => f.endsWith('.test.ts')).map((f) => join('test/gpu', f))] };
  }
  return null;
}

/** A software adapter (llvmpipe and the like): correctness only, seconds a step. */
function isSoftware(description: string | undefined): boolean {
  return !!description && /llvmpipe|lavapipe|swiftshader|software/i.test(description);
}

function markdown(r: Report): string {
  const f = (x: number | undefined | null, d = 2): string => (x == null || Number.isNaN(x) ? '–' : x.toFixed(d));
  const torch = (c: string) => r.torch.find((t) => t.case === c)?.msPerStep as number | undefined;
  const lines = [
    `# GPU bench (${r.startedAt})`,
    '',
    `- Machine: ${r.host}, ${r.cpus}; Node ${r.node}; limit ${r.limitS} s, took ${r.totalSeconds.toFixed(0)} s.`,
    `- Adapter: ${r.adapter ? r.adapter.description : 'none'}${r.backend ? ` (GROK_WEBGPU_BACKEND=${r.backend})` : ''}.`,
    `- Parity tests (test/gpu on this adapter, 1e-4 vs the CPU engine): ${r.parity ? `${r.parity.pass} pass, ${r.parity.fail} fail, ${r.parity.skipped} skipped${r.parity.failed.length ? ` (failed: ${r.parity.failed.join('; ')})` : ''}` : r.phases.parity?.note ?? 'not run'}.`,
    `- PyTorch: ${r.torch.length ? `${String(r.torch[0]!.device)}, torch ${String(r.torch[0]!.torch)}` : r.phases.torch?.note ?? 'not run'}.`,
    '',
    '| case | runs | grok WebGPU ms/step (timed steps) | PyTorch one at a time (loop) | PyTorch batched (bmm) | PyTorch loop / grok | PyTorch bmm / grok |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const c of r.grok) {
    const loop = c.models === 1 ? torch(c.case) : torch(`${c.case}-loop`);
    const bmm = c.models === 1 ? undefined : torch(`${c.case}-bmm`);
    lines.push(`| ${c.case} | ${c.models} | ${f(c.msPerStep)} (${c.timedSteps}) | ${f(loop)} | ${f(bmm)} | ${loop ? f(loop / c.msPerStep) : '–'} | ${bmm ? f(bmm / c.msPerStep) : '–'} |`);
  }
  if (r.grid) {
    const g = r.grid;
    lines.push('', `Grid ${g.name} (${g.runs} runs × ≤ ${g.steps} steps, eval every ${g.evalEvery}, early stop ${g.earlyStop ? 'on' : 'off'}): ${g.fraction}.`,
      `Estimate for the whole grid, every run to its step budget (early stop only shortens it): **${f(g.estimateHours, 2)} h**.`, '',
      '| width | runs | batches × models | ms/step | ms/eval | hours (upper bound) |', '|---|---|---|---|---|---|');
    for (const w of g.widths) {
      lines.push(`| ${w.width} | ${w.runs} | ${w.batches} × ${w.modelsPerBatch} | ${f(w.msPerStep)}${w.timing ? ` (${w.timing.timedSteps} steps)` : ` (scaled from ${w.scaledFrom ?? '?'})`} | ${f(w.evalMs)} | ${f(w.estimateHours, 3)} |`);
    }
  }
  lines.push('', '| phase | status | seconds | note |', '|---|---|---|---|');
  for (const [k, p] of Object.entries(r.phases)) lines.push(`| ${k} | ${p.status} | ${p.seconds.toFixed(0)} | ${(p.note ?? '').replace(/\|/g, '/').slice(0, 300)} |`);
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    out: { type: 'string', default: 'gpu-bench-results' },
    'limit-s': { type: 'string', default: '540' },
    'allow-software': { type: 'boolean', default: false },
    'grid-config': { type: 'string' },
    steps: { type: 'string', default: '50' },
    python: { type: 'string' },
  } });
  const t0 = performance.now();
  const limitMs = Number(values['limit-s']) * 1000;
  const left = () => limitMs - (performance.now() - t0) - 10_000; // 10 s to write the files
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const allowSoftware = values['allow-software'];
  const report: Report = {
    startedAt: new Date().toISOString(), host: hostname(), cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, node: process.version,
    limitS: limitMs / 1000, backend: process.env.GROK_WEBGPU_BACKEND ?? null, adapter: null, phases: {}, parity: null, grok: [], torch: [], grid: null, totalSeconds: 0,
  };
  const save = () => {
    report.totalSeconds = (performance.now() - t0) / 1000;
    writeFileSync(join(out, 'gpu-bench.json'), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(join(out, 'gpu-bench.md'), markdown(report));
  };
  const phase = async (name: string, fn: () => Promise<Omit<Phase, 'seconds'> | void>) => {
    const p0 = performance.now();
    let r: Omit<Phase, 'seconds'>;
    try {
      r = (await fn()) ?? { status: 'ok' };
    } catch (e) {
      r = { status: 'failed', note: e instanceof Error ? e.message : String(e) };
    }
    report.phases[name] = { ...r, seconds: (performance.now() - p0) / 1000 };
    console.error(`gpu-all: ${name}: ${r.status} in ${report.phases[name]!.seconds.toFixed(1)} s${r.note ? ` (${r.note.slice(0, 200)})` : ''}`);
    save();
  };

  // `timeout` (run.sh all) sends SIGTERM at the limit: the children go too, and what was measured is saved.
  process.once('SIGTERM', () => {
    for (const pid of running) killGroup(pid);
    save();
    console.error('gpu-all: stopped at the time limit (SIGTERM); what was measured is in the files');
    process.exit(124);
  });

  await phase('adapter', async () => {
    const c = await selectDevice('gpu', { allowSoftware });
    if (c.kind !== 'gpu') throw new Error(c.reason);
    const limits = Object.fromEntries(['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup']
      .map((k) => [k, (c.adapter.limits as unknown as Record<string, number>)[k]!]));
    report.adapter = { description: c.description, tried: c.tried, limits };
    return { status: 'ok', note: `${c.description}${c.software ? ' (software: correctness only, not a GPU timing)' : ''}` };
  });
  if (!report.adapter) { save(); process.exitCode = 1; return; }

  await phase('parity', async () => {
    const cmd = parityCommand();
    if (!cmd) return { status: 'skipped', note: 'no GPU tests here' };
    const budget = Math.min(left() * 0.3, 300_000);
    const r = await run(process.execPath, cmd.args, { timeoutMs: budget, env: { ...process.env, GROK_REQUIRE_GPU_TESTS: '1' } });
    // Each test's own line, so that a run stopped at the limit still counts what finished.
    const tests = testResults(r.out);
    const failed = tests.filter((t) => !t.ok).map((t) => t.name);
    const skipped = tests.filter((t) => t.ok && t.skipped).length;
    report.parity = { pass: tests.length - failed.length - skipped, fail: failed.length, skipped, failed: failed.slice(0, 10) };
    if (r.timedOut) return { status: 'timeout', note: `stopped after ${(budget / 1000).toFixed(0)} s` };
    return { status: r.code === 0 ? 'ok' : 'failed', note: r.code === 0 ? undefined : r.out.split('\n').filter((l) => /not ok|Error/.test(l)).slice(0, 5).join(' / ') };
  });

  // Each case in its own process, killed at its share of the time: one slow operation (a d=128
  // step on a software adapter) cannot overrun the limit.
  // On a software adapter (llvmpipe: seconds a d=32 step, minutes a d=128 one) the d=32 cases only,
  // one warm-up and one timed step, so that a case finishes within its share; a case that fails at
  // once (a batch over the adapter's largest buffer) leaves its share to the next.
  await phase('grok', async () => {
    const phaseEnd = performance.now() + Math.min(left() * 0.5, 240_000);
    const software = isSoftware(report.adapter?.description);
    const cases = software ? CASES.filter((c) => c.startsWith('d32-')) : CASES;
    const missed: string[] = software ? CASES.filter((c) => !cases.includes(c)).map((c) => `${c} (not on a software adapter: minutes a step)`) : [];
    let killed = false;
    const stepArgs = software ? ['--warmup', '1', '--steps', '1'] : ['--steps', values.steps];
    for (const [i, name] of cases.entries()) {
      if (left() < 20_000) { missed.push(`${name} (no time left)`); continue; }
      const perCase = (phaseEnd - performance.now()) / (cases.length - i);
      const r = await run(process.execPath, [...benchArgs(), '--cases', name, ...stepArgs, '--budget-s', String(Math.floor(perCase * 0.7 / 1000)),
        ...(allowSoftware ? ['--allow-software'] : [])], { timeoutMs: perCase });
      const c = jsonLines(r.out).find((x) => x.case === name) as CaseResult | undefined;
      if (c) report.grok.push(c);
      else missed.push(`${name} (${r.timedOut ? `killed after ${(perCase / 1000).toFixed(0)} s` : r.out.trim().split('\n').at(-1) ?? 'no output'})`);
      killed ||= r.timedOut;
      save();
    }
    if (missed.length) return { status: killed ? 'timeout' : report.grok.length ? 'ok' : 'failed', note: `not measured: ${missed.join(', ')}` };
  });

  await phase('torch', async () => {
    // Debian's torch lives in the system python (/usr/bin/python3), not in one earlier on PATH.
    const py = values.python ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
    const probe = await run(py, ['-c', 'import torch,sys; print(torch.__version__); sys.exit(0 if torch.cuda.is_available() else 3)'], { timeoutMs: 60_000 });
    if (probe.code === 3) return { status: 'skipped', note: `no CUDA in this machine's torch ${probe.out.trim()}: the PyTorch side needs an NVIDIA GPU` };
    if (probe.code !== 0) return { status: 'skipped', note: `no PyTorch (${py}: ${probe.out.trim().split('\n').at(-1) ?? ''})` };
    const script = existsSync('bench/reference/bench.py') ? 'bench/reference/bench.py' : null;
    if (!script) return { status: 'skipped', note: 'bench/reference/bench.py not found' };
    const r = await run(py, [script, '--device', 'cuda', '--cases', TORCH_CASES, '--steps', '30'], { timeoutMs: Math.min(left() * 0.4, 120_000), env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
    for (const line of r.out.split('\n')) if (line.startsWith('{')) report.torch.push(JSON.parse(line) as Record<string, unknown>);
    if (r.timedOut) return { status: 'timeout', note: `${report.torch.length} cases before the limit` };
    return { status: r.code === 0 ? 'ok' : 'failed', note: r.code === 0 ? undefined : r.out.slice(-300) };
  });

  await phase('grid', async () => {
    const config = values['grid-config'] ?? ['examples/repro-cds-vs-model.full.grok.json', 'repro-cds-vs-model.full.grok.json'].find((p) => existsSync(p));
    if (!config) return { status: 'skipped', note: 'examples/repro-cds-vs-model.full.grok.json not found' };
    // A software adapter (llvmpipe) times 2 models of each first batch (a whole one takes minutes a step), scaled.
    const sub = isSoftware(report.adapter?.description) ? ['--grid-sub-batch', '2'] : [];
    const budget = Math.max(0, left() - 5000);
    const r = await run(process.execPath, [...benchArgs(), '--cases', '', '--grid-config', config, '--budget-s', String(Math.floor(budget * 0.8 / 1000)), ...sub,
      ...(allowSoftware ? ['--allow-software'] : [])], { timeoutMs: budget });
    const lines = jsonLines(r.out).reverse();
    report.grid = (lines.find((x) => x.grid)?.grid ?? lines.find((x) => x.gridPartial)?.gridPartial ?? null) as GridResult | null;
    if (!report.grid) return { status: r.timedOut ? 'timeout' : 'failed', note: r.out.trim().split('\n').slice(-2).join(' / ') };
    return { status: r.timedOut ? 'timeout' : 'ok', note: report.grid.fraction };
  });
  save();
  console.error(`gpu-all: ${join(out, 'gpu-bench.json')} and gpu-bench.md in ${report.totalSeconds.toFixed(0)} s`);
}

main().then(() => process.exit(process.exitCode ?? 0), (e: unknown) => {
  console.error(`bench/gpu-all: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  process.exit(1);
});
