"""PyTorch side of `npm run bench`: ms per full-batch AdamW step (forward, backward, update).

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference/bench.py [--device cpu|cuda]
      [--cases d32-m1,d128-m1,d32-m16-loop,d32-m16-bmm] [--steps 30] [--warmup 5] [--threads 1]

The setup of docs/models.md's `transformer`: P=97, a+b, `a b =`, N=3000 train samples, 4 heads,
MLP 4d, ReLU, no LayerNorm, AdamW lr 1e-3 wd 1 betas (0.9, 0.98). A case name is
`d<dModel>-m<models>[-loop|-bmm]`: `loop` trains the M models one after another (M separate steps
per lock-step step), `bmm` trains them as one set of [M, in, out] weights with batched matmuls.
msPerStep is per lock-step step (all M models), the median over --steps after --warmup.
Prints one JSON line per case: {"engine":"torch","case":...,"msPerStep":...,...}.
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

P, N_TRAIN = 97, 3000
DEFAULT_CASES = "d32-m1,d128-m1,d32-m16-loop,d32-m16-bmm"


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
    mode = parts[2] if len(parts) > 2 else ("bmm" if m > 1 else "loop")
    return d, m, mode


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def bench_case(name, device, dtype, steps, warmup):
    d, m, mode = parse_case(name)
    cfg = dict(kind="transformer", dModel=d, heads=4, activation="relu", layerNorm="none")
    tokens, labels = modular_data(device)
    V, C, S = P + 1, P, 3

    def make(models_dim, seed):
        p = models.init_params(cfg, V, S, C, seed=seed, dtype=dtype, models=models_dim)
        p = {n: t.to(device).requires_grad_(True) for n, t in p.items()}
        return p, models.AdamW(p, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8)

    if mode == "bmm":
        sets = [make(m, 0)]
    else:
        sets = [make(None, i) for i in range(m)]

    def step():
        for p, opt in sets:
            loss = models.loss_fn(p, tokens, labels, cfg)
            loss.backward()
            opt.step()

    times = []
    for i in range(warmup + steps):
        sync(device)
        t0 = time.perf_counter()
        step()
        sync(device)
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return {
        "engine": "torch",
        "case": name,
        "msPerStep": round(statistics.median(times), 3),
        "minMs": round(min(times), 3),
        "steps": steps,
        "device": str(device) if device.type == "cpu" else torch.cuda.get_device_name(device),
        "dtype": str(dtype).replace("torch.", ""),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (CPU)")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
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
    for name in [c for c in args.cases.split(",") if c]:
        print(json.dumps(bench_case(name, device, dtype, args.steps, args.warmup)), flush=True)


if __name__ == "__main__":
    main()
