// Entry of the GPU thread (bundled to dist/gpu-thread.js): one per process, started by the first
// GPU trainer and kept (Dawn does not survive being torn down and loaded again in one process).
// It selects adapters, owns each trainer's device and GpuHost, and answers the requests of
// protocol.ts one at a time, in order.
import { parentPort } from 'node:worker_threads';
import { alive, GpuError } from './gpu';
import { GpuHost } from './host';
import { READ_DONE, READ_FAILED, READ_HEADER, type GpuInit, type GpuReply, type GpuRequest } from './protocol';
import { selectDevice } from './select';

const hosts = new Map<number, GpuHost>();

function host(id: number): GpuHost {
  const h = hosts.get(id);
  if (!h) throw new Error(`GPU trainer ${id} is not open`);
  return h;
}

async function handle(msg: GpuRequest): Promise<GpuReply> {
  switch (msg.kind) {
    case 'init': {
      const choice = await selectDevice(msg.select.pref, { attempts: msg.select.attempts, allowSoftware: msg.select.allowSoftware });
      if (choice.kind === 'cpu') return { id: msg.id, ok: true, init: { kind: 'cpu', reason: choice.reason } };
      hosts.set(msg.host, await GpuHost.create(choice.adapter, msg.spec));
      const init: GpuInit = { kind: 'gpu', description: choice.description };
      return { id: msg.id, ok: true, init };
    }
    case 'train': await host(msg.host).train(msg.jobs); return { id: msg.id, ok: true };
    case 'evaluate': return { id: msg.id, ok: true, stats: await host(msg.host).evaluate(msg.models) };
    case 'write': await host(msg.host).writeState(msg.model, msg.blocks); return { id: msg.id, ok: true };
    case 'read': {
      const state = await host(msg.host).readState(msg.model);
      new Float32Array(msg.sab, READ_HEADER, state.length).set(state);
      signal(msg.sab, READ_DONE, state.length * 4);
      return { id: msg.id, ok: true };
    }
    case 'flush': await host(msg.host).machine.idle(); return { id: msg.id, ok: true };
    case 'lose': {
      const d = host(msg.host).machine.device;
      d.destroy();
      await alive(d.lost);
      return { id: msg.id, ok: true };
    }
    case 'probe': {
      const choice = await selectDevice(msg.select.pref, { attempts: msg.select.attempts, allowSoftware: msg.select.allowSoftware });
      if (choice.kind === 'cpu') return { id: msg.id, ok: true, probe: { kind: 'cpu', reason: choice.reason } };
      const lim = choice.adapter.limits;
      return {
        id: msg.id, ok: true,
        probe: { kind: 'gpu', description: choice.description, software: choice.software, maxBufferBytes: Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize) },
      };
    }
    case 'dispose': {
      const h = hosts.get(msg.host);
      hosts.delete(msg.host);
      await h?.destroy();
      return { id: msg.id, ok: true };
    }
  }
}

function signal(sab: SharedArrayBuffer, state: number, bytes: number): void {
  const head = new Int32Array(sab, 0, 2);
  Atomics.store(head, 1, bytes);
  Atomics.store(head, 0, state);
  Atomics.notify(head, 0);
}

let chain: Promise<void> = Promise.resolve();

parentPort?.on('message', (msg: GpuRequest) => {
  chain = chain.then(async () => {
    let reply: GpuReply;
    try {
      reply = await handle(msg);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      reply = { id: msg.id, ok: false, error, ...(e instanceof GpuError ? { gpu: true } : {}) };
      if (msg.kind === 'read') {
        const text = new TextEncoder().encode(error).subarray(0, msg.sab.byteLength - READ_HEADER);
        new Uint8Array(msg.sab, READ_HEADER, text.length).set(text);
        signal(msg.sab, READ_FAILED, text.length);
      }
    }
    parentPort!.postMessage(reply);
  });
});
