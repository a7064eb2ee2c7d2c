// Runs sweeps through a SweepHandle (the forked worker's client, src/sweep/worker/client.ts, or the
// queue coordinator): one at a time per config, with progress in the status bar and on the Grok view
// (no notification covering the charts), context keys for running/paused configs (▶/■ swap,
// inapplicable commands hidden), the worker's log in the output channel, and errors that offer
// "Open Log" / "Go to Config".
import * as vscode from 'vscode';
import type { ProgressInfo, SweepHandle, SweepResult } from '../../sweep/events';
import { startSweep } from '../../sweep/worker/client';
import type { SweepState } from '../lenses/lensModel';
import { formatDuration, progressText } from '../lenses/lensModel';
import type { GrokContext } from '../context';
import { deviceFromEvent, deviceFromSetting, statusDevice, type DeviceInfo, type DeviceSetting } from './device';

export interface ActiveSweep {
  configUri: vscode.Uri;
  handle: SweepHandle;
  resultsDir: string | null;
  name: string;
  state: SweepState;
  startedAt: number;
  /** What trains: the sweep's started event (device and adapter), until then the grok.device setting. */
  device: DeviceInfo;
}

export type Starter = typeof startSweep;

export class SweepController implements vscode.Disposable {
  private readonly active = new Map<string, ActiveSweep>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly ctx: GrokContext, private readonly starter: Starter = startSweep) {
    this.status = vscode.window.createStatusBarItem('grok.sweep', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Grok sweep';
    this.status.command = 'grok.showCurves';
  }

  stateOf(configUri: vscode.Uri): SweepState {
    return this.active.get(configUri.toString())?.state ?? { status: 'idle' };
  }

  get(configUri: vscode.Uri): ActiveSweep | undefined {
    return this.active.get(configUri.toString());
  }

  /** The most recently started running sweep. */
  latest(): ActiveSweep | undefined {
    return [...this.active.values()].at(-1);
  }

  isRunning(configUri: vscode.Uri): boolean {
    return this.active.has(configUri.toString());
  }

  /** Results folders being written by this window's sweeps. */
  runningDirs(): string[] {
    return [...this.active.values()].map((s) => s.resultsDir).filter((d): d is string => !!d);
  }

  /** Starts (or resumes: the runner continues a results folder of the same config) a sweep. */
  /**
   * Starts (or resumes) a sweep. `queue`: run it through a Redis queue (src/sweep/queue) instead of a
   * local worker; the coordinator follows it here and writes the same results folder.
   */
  start(configUri: vscode.Uri, name: string, opts: { fresh?: boolean; queue?: { starter: Starter; display: string } } = {}): ActiveSweep {
    const key = configUri.toString();
    const existing = this.active.get(key);
    if (existing) return existing;
    const cfg = vscode.workspace.getConfiguration('grok');
    const threads = cfg.get<number>('threads', 0);
    const device = cfg.get<DeviceSetting>('device', 'auto');
    const dataRoots = this.ctx.dataRoots(configUri);
    const handle = (opts.queue?.starter ?? this.starter)({
      configPath: configUri.fsPath, writer: 'the extension',
      ...(dataRoots.length ? { dataRoots } : {}),
      ...(threads > 0 ? { threads } : {}),
      ...(device !== 'auto' ? { device } : {}),
      ...(opts.fresh ? { fresh: true } : {}),
    });
    const sweep: ActiveSweep = { configUri, handle, resultsDir: null, name, state: { status: 'running' }, startedAt: Date.now(),
      device: opts.queue ? { device: 'queue', description: `the workers of the queue ${opts.queue.display}` } : deviceFromSetting(device) };
    this.active.set(key, sweep);
    this.ctx.log.info(`sweep ${name}: started${opts.fresh ? ' (fresh)' : ''} from ${configUri.fsPath} ${opts.queue ? `through the queue ${opts.queue.display}` : `(worker pid ${handle.pid ?? '?'})`}`);
    this.wire(sweep);
    this.showProgress(sweep);
    this.changed.fire(configUri);
    this.render();
    return sweep;
  }

  stop(configUri: vscode.Uri): boolean {
    const s = this.active.get(configUri.toString());
    if (!s) return false;
    this.ctx.log.info(`sweep ${s.name}: stopping (runs are checkpointed; Resume continues them)`);
    s.handle.cancel();
    return true;
  }

  pause(configUri: vscode.Uri): void {
    const s = this.active.get(configUri.toString());
    if (s && s.state.status === 'running') s.handle.pause();
  }

  resumePaused(configUri: vscode.Uri): boolean {
    const s = this.active.get(configUri.toString());
    if (!s || s.state.status !== 'paused') return false;
    s.handle.resume();
    return true;
  }

  private wire(s: ActiveSweep): void {
    const h = s.handle;
    h.on('started', (m) => {
      s.resultsDir = m.outDir;
      s.device = deviceFromEvent(m.device);
      s.state = { status: 'running', done: m.runsDone, total: m.runsTotal };
      this.ctx.log.info(`sweep ${m.name}: ${m.resumed ? 'resumed' : 'new'} in ${m.outDir}, ${m.runsDone}/${m.runsTotal} runs done, on ${s.device.description}`);
      this.ctx.feed(m.outDir).setInterval(400);
      this.ctx.onSweepStarted(s);
      this.changed.fire(s.configUri);
      this.render();
    });
    h.on('device', (m) => {
      s.device = deviceFromEvent(m.device);
      this.render();
    });
    h.on('progress', (p: ProgressInfo) => {
      s.state = { status: p.paused ? 'paused' : 'running', done: p.runsDone, total: p.runsTotal, etaMs: p.etaSec == null ? null : p.etaSec * 1000 };
      this.render();
    });
    h.on('runFinished', (m) => {
      const r = m.run;
      this.ctx.log.info(`run ${r.id} ${JSON.stringify(r.params)}: ${r.status}${r.regime ? `, ${r.regime}` : ''}${r.final ? `, val acc ${r.final.valAcc.toFixed(3)}` : ''}${r.stopReason ? ` (${r.stopReason})` : ''}`);
      if (s.resultsDir) void this.ctx.feed(s.resultsDir).pollNow();
      this.changed.fire(s.configUri);
    });
    h.on('log', (m) => {
      if (m.level === 'error') this.ctx.log.error(m.message);
      else if (m.level === 'warn') this.ctx.log.warn(m.message);
      else this.ctx.log.info(m.message);
    });
    h.on('error', (m) => {
      this.ctx.log.error(`sweep ${s.name}${m.runId ? ` run ${m.runId}` : ''}: ${m.message}${m.cause ? `\n${m.cause}` : ''}`);
    });
    void h.done.then((r: SweepResult) => this.finished(s, r));
  }

  /** A progress bar on the Grok view while the sweep runs; runs done / total are in the status bar. */
  private showProgress(s: ActiveSweep): void {
    void vscode.window.withProgress({ location: { viewId: 'grok.runs' } }, () => s.handle.done.then(() => undefined));
  }

  private finished(s: ActiveSweep, r: SweepResult): void {
    this.active.delete(s.configUri.toString());
    if (r.outDir) {
      this.ctx.feed(r.outDir).setInterval(1500);
      void this.ctx.feed(r.outDir).pollNow();
    }
    const took = formatDuration(Date.now() - s.startedAt);
    this.ctx.log.info(`sweep ${s.name}: ${r.status} after ${took}${r.error ? `: ${r.error}` : ''}`);
    this.changed.fire(s.configUri);
    this.render();
    if (r.status === 'failed') {
      void this.ctx.showError(`Grok: sweep ${s.name} failed: ${firstLine(r.error ?? 'unknown error')}`, s.configUri);
    } else if (r.status === 'done') {
      void vscode.window.showInformationMessage(`Grok: sweep ${s.name} finished in ${took}.`, 'Regime Map', 'Curves').then((pick) => {
        if (pick === 'Regime Map') void vscode.commands.executeCommand('grok.showRegimeMap', s.configUri);
        if (pick === 'Curves') void vscode.commands.executeCommand('grok.showCurves', s.configUri);
      });
    } else {
      void vscode.window.showInformationMessage(`Grok: sweep ${s.name} stopped; Resume continues it.`);
    }
  }

  private render(): void {
    this.updateContextKeys();
    const s = this.latest();
    if (!s) { this.status.hide(); return; }
    const icon = s.state.status === 'paused' ? '$(debug-pause)' : '$(sync~spin)';
    this.status.text = `${icon} Grok ${s.state.total ? progressText(s.state) : 'starting…'} · ${statusDevice(s.device)}`;
    this.status.tooltip = `Sweep ${s.name}: runs done / total and estimated time left, on ${s.device.description}. Click for the curves; Grok: Stop Sweep stops it (runs are checkpointed).`;
    this.status.show();
  }

  /** grok.running / grok.runningConfigs / grok.pausedConfigs: the menus' `when` clauses read them. */
  private updateContextKeys(): void {
    const all = [...this.active.values()];
    const key = JSON.stringify(all.map((s) => [s.configUri.fsPath, s.state.status]));
    if (key === this.lastContext) return;
    this.lastContext = key;
    void vscode.commands.executeCommand('setContext', 'grok.running', all.length > 0);
    void vscode.commands.executeCommand('setContext', 'grok.runningConfigs', all.map((s) => s.configUri.fsPath));
    void vscode.commands.executeCommand('setContext', 'grok.pausedConfigs', all.filter((s) => s.state.status === 'paused').map((s) => s.configUri.fsPath));
    void vscode.commands.executeCommand('setContext', 'grok.anyPaused', all.some((s) => s.state.status === 'paused'));
  }

  private lastContext = '';

  dispose(): void {
    for (const s of this.active.values()) s.handle.cancel();
    this.active.clear();
    this.status.dispose();
    this.changed.dispose();
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
