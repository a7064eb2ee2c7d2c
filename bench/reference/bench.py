"""PyTorch side of `npm run bench`: full-batch AdamW steps (forward, backward, update), timed in
wall and CPU time, on the cores the engine gets.

  /usr/bin/python3 bench/reference/bench.py [--device cpu|cuda]
      [--cases d32-m1,d128-m1,d32-m16-procs,d32-m16-bmm] [--steps 30] [--warmup 5]
      [--threads 1] [--blas-threads 1]

The setup of docs/models.md's `transformer`: P=97, a+b, `a b =`, N=3000 train samples, 4 heads,
MLP 4d, ReLU, no LayerNorm, AdamW lr 1e-3 wd 1 betas (0.9, 0.98). A case name is
`d<dModel>-m<models>[-loop|-bmm|-procs]`:
  loop   the M models one after another in this process (--threads torch threads);
  bmm    the M models as one set of [M, in, out] weights with batched matmuls (--threads);
  procs  --threads processes, one torch thread each, each training its share of the M models in
         a loop, all at once (PyTorch's "one process per core").
msPerStep is the wall time of one lock-step step (all M models; for procs, the slowest process's
time over all steps divided by steps), median over --steps after --warmup. cpuMsPerStep is the CPU
time of every thread (and, for procs, every process) per lock-step step.

OpenBLAS keeps its own thread pool besides torch's: torch threads plus OpenBLAS threads
oversubscribe the cores. --blas-threads sets OPENBLAS_NUM_THREADS (before torch is imported).
Prints one JSON line per case.

--serve (used by `npm run bench`, bench/paired.ts): one warm process for one case (and one config),
driven through stdin so that its rounds can be interleaved with the engine's. It prints
{"ready": ...} once torch is imported and the models are built, then answers each JSON line:
  {"steps": n}   run n steps; reply {"steps": n, "wallMs": ..., "cpuMs": ..., "stepMs": [...]} (wallMs
                 and cpuMs in total over the n steps; procs: the slowest process's wall, every
                 process's CPU, all processes starting together)
and exits at the end of stdin. Warm-up is the caller's: its first {"steps": n} are the warm-up.
"""
import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time


def _early_blas_threads():
    # OPENBLAS_NUM_THREADS must be set before torch (and OpenBLAS) load.
    for i, a in enumerate(sys.argv):
        if a == "--blas-threads" and i + 1 < len(sys.argv):
            return sys.argv[i + 1]
        if a.startswith("--blas-threads="):
            return a.split("=", 1)[1]
    return os.environ.get("OPENBLAS_NUM_THREADS", "1")


os.environ["OPENBLAS_NUM_THREADS"] = _early_blas_threads()
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

P, N_TRAIN = 97, 3000
DEFAULT_CASES = "d32-m1,d128-m1,d32-m16-procs,d32-m16-bmm"


def modular_data(device, seed=0):
    a = torch.arange(P).repeat_interleave(P)
    b = torch.arange(P).repeat(P)
    tokens = torch.stack([a, b, torch.full_like(a, P)], 1)
    labels = (a + b) % P
    idx = torch.randperm(P * P, generator=torch.Generator().manual_seed(seed))[:N_TRAIN]
    return tokens[idx].to(device), labels[idx].to(device)


def parse_case(name):
    parts = name.split("-")
    d = int(parts[0][1:])
    m = int(parts[1][1:])
    mode = parts[2] if len(parts) > 2 else "loop"
    return d, m, mode


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def make_step(d, model_ids, batched, device, dtype):
    """One lock-step step over the given models (a loop, or one batched set)."""
    cfg = dict(kind="transformer", dModel=d, heads=4, activation="relu", layerNorm="none")
    tokens, labels = modular_data(device)
    V, C, S = P + 1, P, 3

    def make(models_dim, seed):
        p = models.init_params(cfg, V, S, C, seed=seed, dtype=dtype, models=models_dim)
        p = {n: t.to(device).requires_grad_(True) for n, t in p.items()}
        return p, models.AdamW(p, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8)

    sets = [make(len(model_ids), 0)] if batched else [make(None, i) for i in model_ids]

    def step():
        for p, opt in sets:
            loss = models.loss_fn(p, tokens, labels, cfg)
            loss.backward()
            opt.step()

    return step


def timed_steps(step, device, steps, warmup):
    """Wall ms of each timed step, and the process CPU ms over all of them."""
    times = []
    for _ in range(warmup):
        step()
    sync(device)
    cpu0 = time.process_time()
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        sync(device)
        times.append((time.perf_counter() - t0) * 1000)
    return times, (time.process_time() - cpu0) * 1000


def _proc_worker(d, ids, steps, warmup, barrier, out):
    torch.set_num_threads(1)
    step = make_step(d, ids, False, torch.device("cpu"), torch.float32)
    for _ in range(warmup):
        step()
    barrier.wait()
    cpu0, t0 = time.process_time(), time.perf_counter()
    for _ in range(steps):
        step()
    out.put({"wallMs": (time.perf_counter() - t0) * 1000, "cpuMs": (time.process_time() - cpu0) * 1000})


def bench_procs(d, m, procs, steps, warmup):
    """procs processes at once, each with its share of the m models (dealt round-robin)."""
    ctx = mp.get_context("fork")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    shares = [list(range(w, m, procs)) for w in range(procs)]
    ps = [ctx.Process(target=_proc_worker, args=(d, ids, steps, warmup, barrier, out)) for ids in shares if ids]
    for p in ps:
        p.start()
    results = [out.get() for _ in ps]
    for p in ps:
        p.join()
    wall = max(r["wallMs"] for r in results)
    return {"msPerStep": round(wall / steps, 3), "cpuMsPerStep": round(sum(r["cpuMs"] for r in results) / steps, 3),
            "threads": 1, "procs": len(ps)}


def _serve_worker(d, ids, barrier, conn):
    """A -procs worker of --serve: waits for n, then runs n steps with the others (barrier)."""
    torch.set_num_threads(1)
    step = make_step(d, ids, False, torch.device("cpu"), torch.float32)
    while True:
        n = conn.recv()
        if n is None:
            return
        barrier.wait()
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(n):
            step()
        conn.send({"wallMs": (time.perf_counter() - t0) * 1000, "cpuMs": (time.process_time() - cpu0) * 1000})


def serve(name, device, dtype, threads):
    """--serve: one warm process for case `name`; see the module's doc."""
    d, m, mode = parse_case(name)
    info = {"engine": "torch", "case": name, "dModel": d, "models": m, "mode": mode,
            "blasThreads": int(os.environ["OPENBLAS_NUM_THREADS"]), "torch": torch.__version__}
    if mode == "procs":
        ctx = mp.get_context("fork")
        shares = [ids for ids in (list(range(w, m, threads)) for w in range(threads)) if ids]
        barrier = ctx.Barrier(len(shares))
        pipes = [ctx.Pipe() for _ in shares]
        ps = [ctx.Process(target=_serve_worker, args=(d, ids, barrier, child), daemon=True) for ids, (_, child) in zip(shares, pipes)]
        for p in ps:
            p.start()
        info.update({"threads": 1, "procs": len(ps)})

        def run(n):
            for parent, _ in pipes:
                parent.send(n)
            results = [parent.recv() for parent, _ in pipes]
            return {"wallMs": max(r["wallMs"] for r in results), "cpuMs": sum(r["cpuMs"] for r in results), "stepMs": []}
    else:
        step = make_step(d, list(range(m)), mode == "bmm", device, dtype)
        info.update({"threads": torch.get_num_threads(), "procs": 1})

        def run(n):
            times, cpu = timed_steps(step, device, n, 0)
            return {"wallMs": sum(times), "cpuMs": cpu, "stepMs": [round(t, 3) for t in times]}
    print(json.dumps({"ready": True, **info}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        n = int(json.loads(line)["steps"])
        r = run(n)
        print(json.dumps({"steps": n, "wallMs": round(r["wallMs"], 3), "cpuMs": round(r["cpuMs"], 3), "stepMs": r["stepMs"]}), flush=True)
    if mode == "procs":
        for parent, _ in pipes:
            parent.send(None)
        for p in ps:
            p.join()


def bench_case(name, device, dtype, steps, warmup, threads):
    d, m, mode = parse_case(name)
    out = {"engine": "torch", "case": name, "dModel": d, "models": m, "mode": mode, "steps": steps}
    if mode == "procs":
        out.update(bench_procs(d, m, threads, steps, warmup))
    else:
        times, cpu = timed_steps(make_step(d, list(range(m)), mode == "bmm", device, dtype), device, steps, warmup)
        out.update({"msPerStep": round(statistics.median(times), 3), "minMs": round(min(times), 3),
                    "cpuMsPerStep": round(cpu / steps, 3), "threads": torch.get_num_threads(), "procs": 1})
    out.update({"blasThreads": int(os.environ["OPENBLAS_NUM_THREADS"]),
                "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
                "dtype": str(dtype).replace("torch.", ""), "torch": torch.__version__})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (CPU); processes for -procs cases")
    ap.add_argument("--blas-threads", type=int, default=None, help="OPENBLAS_NUM_THREADS (read before torch loads)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--serve", action="store_true", help="one warm process for one case, driven through stdin (see above)")
    args = ap.parse_args()
    models.configure_threads(args.threads)
    device = torch.device(args.device)
    if device.type == "cuda":
        if not torch.cuda.is_available():
            print(json.dumps({"engine": "torch", "error": "CUDA not available in this torch build"}), flush=True)
            sys.exit(2)
        # plain float32 matmuls, as on the CPU (no TF32), so the work is the same
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    dtype = getattr(torch, args.dtype)
    if args.serve:
        serve(args.cases, device, dtype, args.threads)
        return
    for name in [c for c in args.cases.split(",") if c]:
        print(json.dumps(bench_case(name, device, dtype, args.steps, args.warmup, args.threads)), flush=True)


if __name__ == "__main__":
    main()
