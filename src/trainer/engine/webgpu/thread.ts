// Entry of the GPU thread (bundled to dist/gpu-thread.js): selects the adapter, owns the device
// and the GpuHost, and answers the requests of protocol.ts one at a time, in order.
import { parentPort } from 'node:worker_threads';
import { GpuHost } from './host';
import { READ_DONE, READ_FAILED, READ_HEADER, type GpuInit, type GpuReply, type GpuRequest } from './protocol';
import { selectDevice } from './select';

let host: GpuHost | null = null;

function need(): GpuHost {
  if (!host) throw new Error('GPU thread used before init');
  return host;
}

async function handle(msg: GpuRequest): Promise<GpuReply> {
  switch (msg.kind) {
    case 'init': {
      const choice = await selectDevice(msg.select.pref, { attempts: msg.select.attempts, allowSoftware: msg.select.allowSoftware });
      if (choice.kind === 'cpu') return { id: msg.id, ok: true, init: { kind: 'cpu', reason: choice.reason } };
      host = await GpuHost.create(choice.adapter, msg.spec);
      const init: GpuInit = { kind: 'gpu', description: choice.description };
      return { id: msg.id, ok: true, init };
    }
    case 'train': await need().train(msg.jobs); return { id: msg.id, ok: true };
    case 'evaluate': return { id: msg.id, ok: true, stats: await need().evaluate(msg.models) };
    case 'write': await need().writeState(msg.model, msg.blocks); return { id: msg.id, ok: true };
    case 'read': {
      const state = await need().readState(msg.model);
      new Float32Array(msg.sab, READ_HEADER, state.length).set(state);
      signal(msg.sab, READ_DONE, state.length * 4);
      return { id: msg.id, ok: true };
    }
    case 'dispose': host?.destroy(); host = null; return { id: msg.id, ok: true };
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
      reply = { id: msg.id, ok: false, error };
      if (msg.kind === 'read') {
        const text = new TextEncoder().encode(error).subarray(0, msg.sab.byteLength - READ_HEADER);
        new Uint8Array(msg.sab, READ_HEADER, text.length).set(text);
        signal(msg.sab, READ_FAILED, text.length);
      }
    }
    parentPort!.postMessage(reply);
  });
});
