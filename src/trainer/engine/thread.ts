// Entry of an engine worker thread (bundled to dist/engine-thread.js): instantiates the kernels on
// the shared memory and runs the models it is handed. No synchronisation inside a step: each model
// only touches its own arena.
import { parentPort } from 'node:worker_threads';
import { localRunners, type Runners, type ThreadReply, type ThreadRequest } from './executor';

let runners: Runners | null = null;
let i32: Int32Array | null = null;

function handle(msg: ThreadRequest): ThreadReply {
  if (msg.kind === 'init') { runners = localRunners(msg.module, msg.memory, msg.plan); i32 = new Int32Array(msg.memory.buffer); return { ok: true }; }
  if (!runners || !i32) throw new Error('engine thread used before init');
  if (msg.kind === 'train') { runners.take(msg.jobs, msg.next, i32); return { ok: true }; }
  if (msg.kind === 'logits') return { ok: true, logits: runners.get(msg.model).logits() };
  return { ok: true, result: runners.evaluate(msg.models) };
}

parentPort?.on('message', (msg: ThreadRequest) => {
  let reply: ThreadReply;
  try { reply = handle(msg); } catch (e) { reply = { ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }; }
  parentPort!.postMessage(reply, reply.ok && reply.logits ? [reply.logits.buffer as ArrayBuffer] : []);
});
