/// <reference types="@webgpu/types" />
// The device side: one storage buffer holding the whole engine memory, one buffer of argument
// tables, a pipeline per kernel (compiled on first use), and a program runner that writes every
// dispatch's table at once and encodes all dispatches of a program into one compute pass.
// Device loss and out-of-memory are turned into errors that say what happened.
import type { Dispatch } from './program';
import { ARGS, KERNELS, type KernelName } from './wgsl';

export class GpuError extends Error {}

/**
 * Awaits a Dawn promise with a timer holding the event loop open: dawn.node does not always keep
 * Node alive while the GPU works, and the process would exit with the promise pending.
 */
export async function alive<T>(p: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1000);
  try { return await p; } finally { clearInterval(timer); }
}

export class GpuMachine {
  readonly mem: GPUBuffer;
  private args: GPUBuffer | null = null;
  private argsBytes = 0;
  private bindGroup: GPUBindGroup | null = null;
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelineLayout: GPUPipelineLayout;
  private readonly pipelines = new Map<KernelName, GPUComputePipeline>();
  private readonly align: number;
  /** Bytes of the args binding: one table of the largest group. */
  private readonly tableBytes: number;
  private lostReason: string | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();

  private constructor(readonly device: GPUDevice, bytes: number, maxModels: number) {
    device.lost.then((info) => {
      this.lostReason = `GPU device lost (${info.reason}): ${info.message || 'no message'}`;
    }, () => undefined);
    this.align = device.limits.minStorageBufferOffsetAlignment;
    this.tableBytes = Math.max(1, maxModels) * ARGS * 4;
    this.mem = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage', hasDynamicOffset: true, minBindingSize: this.tableBytes } },
      ],
    });
    this.pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [this.layout] });
  }

  /** A device on the adapter with room for `bytes` of engine memory; OOM and limits reported clearly. */
  static async create(adapter: GPUAdapter, bytes: number, maxModels: number): Promise<GpuMachine> {
    const lim = adapter.limits;
    bytes = Math.ceil(bytes / 16) * 16;
    if (bytes > lim.maxStorageBufferBindingSize || bytes > lim.maxBufferSize) {
      throw new GpuError(`the engine memory of this batch needs ${mib(bytes)}, over the adapter's largest storage buffer ` +
        `(${mib(Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize))}): train fewer models per batch or smaller splits`);
    }
    const device = await alive(adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize, maxBufferSize: lim.maxBufferSize },
    }));
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let machine: GpuMachine;
    try {
      machine = new GpuMachine(device, bytes, maxModels);
    } finally {
      const validation = await alive(device.popErrorScope());
      const oom = await alive(device.popErrorScope());
      if (oom) { device.destroy(); throw new GpuError(`GPU out of memory allocating the ${mib(bytes)} engine buffer: ${oom.message}`); }
      if (validation) { device.destroy(); throw new GpuError(`GPU error allocating the ${mib(bytes)} engine buffer: ${validation.message}`); }
    }
    return machine;
  }

  private check(): void {
    if (this.lostReason) throw new GpuError(this.lostReason);
  }

  private pipeline(kernel: KernelName): GPUComputePipeline {
    let p = this.pipelines.get(kernel);
    if (!p) {
      const module = this.device.createShaderModule({ code: KERNELS[kernel], label: kernel });
      p = this.device.createComputePipeline({ layout: this.pipelineLayout, compute: { module, entryPoint: 'main' }, label: kernel });
      this.pipelines.set(kernel, p);
    }
    return p;
  }

  private ensureArgs(bytes: number): void {
    if (this.args && this.argsBytes >= bytes) return;
    this.args?.destroy();
    this.argsBytes = Math.max(bytes, Math.ceil(this.argsBytes * 1.5));
    this.args = this.device.createBuffer({ size: this.argsBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.bindGroup = this.device.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: this.mem } },
        { binding: 1, resource: { buffer: this.args, size: this.tableBytes } },
      ],
    });
  }

  /**
   * Queues a program (uploads first, then every dispatch in one pass) and returns once it is
   * submitted and validated. At most two programs are in flight: this waits for the one before.
   */
  async run(dispatches: Dispatch[], uploads: { offset: number; data: Uint8Array }[] = []): Promise<void> {
    this.check();
    const d = this.device;
    const offsets: number[] = [];
    let bytes = 0;
    for (const x of dispatches) {
      if (x.table.byteLength > this.tableBytes) throw new GpuError(`webgpu backend: a dispatch of ${x.table.length / ARGS} models, more than the ${this.tableBytes / ARGS / 4} planned`);
      offsets.push(bytes);
      bytes += Math.ceil(x.table.byteLength / this.align) * this.align;
    }
    const data = new Uint8Array(bytes + this.tableBytes);
    dispatches.forEach((x, k) => data.set(new Uint8Array(x.table.buffer, x.table.byteOffset, x.table.byteLength), offsets[k]));
    d.pushErrorScope('out-of-memory');
    d.pushErrorScope('validation');
    this.ensureArgs(data.byteLength);
    d.queue.writeBuffer(this.args!, 0, data);
    for (const u of uploads) d.queue.writeBuffer(this.mem, u.offset, u.data);
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    dispatches.forEach((x, k) => {
      pass.setPipeline(this.pipeline(x.kernel));
      pass.setBindGroup(0, this.bindGroup!, [offsets[k]!]); // one offset per dispatch
      pass.dispatchWorkgroups(x.x, x.y, x.table.length / ARGS);
    });
    pass.end();
    d.queue.submit([enc.finish()]);
    const validation = await alive(d.popErrorScope());
    const oom = await alive(d.popErrorScope());
    if (oom) throw new GpuError(`GPU out of memory: ${oom.message}`);
    if (validation) throw new GpuError(`GPU validation error: ${validation.message}`);
    const done = d.queue.onSubmittedWorkDone();
    const before = this.inFlight;
    this.inFlight = done;
    await alive(before);
    this.check();
  }

  async write(offset: number, data: Uint8Array): Promise<void> {
    this.check();
    this.device.queue.writeBuffer(this.mem, offset, data);
  }

  /** Copies bytes [offset, offset + bytes) of the engine memory back (a list of ranges, one round trip). */
  async read(ranges: { offset: number; bytes: number }[]): Promise<Uint8Array[]> {
    this.check();
    const d = this.device;
    const total = ranges.reduce((a, r) => a + Math.ceil(r.bytes / 4) * 4, 0);
    const staging = d.createBuffer({ size: Math.max(4, total), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = d.createCommandEncoder();
    let at = 0;
    for (const r of ranges) {
      const n = Math.ceil(r.bytes / 4) * 4;
      if (n > 0) enc.copyBufferToBuffer(this.mem, r.offset, staging, at, n);
      at += n;
    }
    d.queue.submit([enc.finish()]);
    try {
      await alive(staging.mapAsync(GPUMapMode.READ));
    } catch (e) {
      this.check();
      throw new GpuError(`GPU read-back failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const all = new Uint8Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    at = 0;
    return ranges.map((r) => { const out = all.slice(at, at + r.bytes); at += Math.ceil(r.bytes / 4) * 4; return out; });
  }

  /** Resolves when everything submitted so far has run. */
  async idle(): Promise<void> {
    if (this.lostReason) return;
    await alive(this.inFlight);
    await alive(this.device.queue.onSubmittedWorkDone());
  }

  destroy(): void {
    this.args?.destroy();
    this.mem.destroy();
    this.device.destroy();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
