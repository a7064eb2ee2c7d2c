"""PyTorch side of `npm run parity`: train from an engine checkpoint and report the losses.

  /usr/bin/python3 bench/reference/parity.py job.json     (prints one JSON object on stdout)

job.json: {"jobs": [job, ...]} or a single job, where a job is
  {
    "model": {"kind", "dModel", "heads", "dMlp", "activation", "layerNorm"},   (ModelConfig)
    "optimizer": {"lr", "weightDecay", "betas", "eps", "warmupSteps"},
    "steps": 50,
    "dtype": "float32" | "float64",
    "weights": "init.safetensors",   engine checkpoint: parameters (+ adam.m./adam.v. state, step)
    "data": "data.safetensors",      I32 tensors: inputs [count, seqLen], labels [count], train [n], val [k] (val optional)
    "split": "split.safetensors"     (optional) I32 train / val indices, overriding those in data
    "compareWith": "final.safetensors" (optional: the engine's checkpoint after `steps` steps)
    "saveTo": "torch-final.safetensors" (optional: write torch's final weights and AdamW state)
  }
Result per job: trainLoss / trainAcc / valLoss / valAcc at the weights after k = 0..steps steps
(k = 0 is the checkpoint as loaded), the final weight norm, and with compareWith, per tensor the
relative L2 difference |ours - torch| / |torch| of the final parameters and AdamW moments.
"""
import json
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402
import st  # noqa: E402


def _rel(a, b):
    a, b = a.to(torch.float64), b.to(torch.float64)
    den = b.norm().item()
    diff = (a - b).norm().item()
    return diff / den if den > 0 else diff


def run_job(job):
    dtype = getattr(torch, job.get("dtype", "float32"))
    cfg = job["model"]
    opt_cfg = job["optimizer"]
    tensors, meta = st.load_file(job["weights"])
    data, _ = st.load_file(job["data"])
    if job.get("split"):
        data.update(st.load_file(job["split"])[0])
    inputs = data["inputs"].to(torch.int64)
    labels = data["labels"].to(torch.int64)
    train = data["train"].to(torch.int64)
    val = data["val"].to(torch.int64) if "val" in data and data["val"].numel() > 0 else None

    params = {n: t.to(dtype).requires_grad_(True) for n, t in tensors.items() if not n.startswith("adam.")}
    state = {n: t.to(dtype) for n, t in tensors.items() if n.startswith("adam.")}
    step0 = int(meta.get("step", 0))
    opt = models.AdamW(
        params,
        lr=opt_cfg["lr"],
        weight_decay=opt_cfg["weightDecay"],
        betas=tuple(opt_cfg.get("betas", (0.9, 0.98))),
        eps=opt_cfg.get("eps", 1e-8),
        warmup_steps=opt_cfg.get("warmupSteps", 0),
        step=step0,
        state=state,
    )
    xt, yt = inputs[train], labels[train]
    xv, yv = (inputs[val], labels[val]) if val is not None else (None, None)

    out = {"trainLoss": [], "trainAcc": [], "valLoss": [], "valAcc": []}

    def record_eval():
        with torch.no_grad():
            if xv is not None:
                zv = models.logits(params, xv, cfg)
                out["valLoss"].append(torch.nn.functional.cross_entropy(zv, yv).item())
                out["valAcc"].append((zv.argmax(-1) == yv).to(torch.float64).mean().item())

    for _ in range(job["steps"]):
        # the full-batch training forward is exactly the train loss at the current weights
        z = models.logits(params, xt, cfg)
        loss = torch.nn.functional.cross_entropy(z, yt)
        out["trainLoss"].append(loss.item())
        out["trainAcc"].append((z.detach().argmax(-1) == yt).to(torch.float64).mean().item())
        record_eval()
        loss.backward()
        opt.step()
    with torch.no_grad():
        z = models.logits(params, xt, cfg)
        out["trainLoss"].append(torch.nn.functional.cross_entropy(z, yt).item())
        out["trainAcc"].append((z.argmax(-1) == yt).to(torch.float64).mean().item())
    record_eval()
    out["weightNorm"] = math.sqrt(sum(float((p.detach().to(torch.float64) ** 2).sum()) for p in params.values()))
    out["norms"] = {n: float(p.detach().to(torch.float64).norm()) for n, p in params.items()}

    if job.get("saveTo"):
        final = {n: p.detach().to(torch.float32) for n, p in params.items()}
        final.update({n: t.to(torch.float32) for n, t in opt.state_dict().items()})
        st.save_file(final, job["saveTo"], {"step": opt.t, "format": "grok-1", "model": cfg.get("kind", "transformer")})

    if job.get("compareWith"):
        theirs, tmeta = st.load_file(job["compareWith"])
        mine = {n: p.detach() for n, p in params.items()}
        mine.update(opt.state_dict())
        out["compare"] = {
            "step": int(tmeta.get("step", -1)),
            "missing": sorted(set(mine) - set(theirs)),
            "extra": sorted(set(theirs) - set(mine)),
            "relDiff": {n: _rel(theirs[n], mine[n]) for n in sorted(mine) if n in theirs},
        }
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    models.configure_threads(1)
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    if "jobs" in spec:
        print(json.dumps({"results": [run_job(j) for j in spec["jobs"]]}))
    else:
        print(json.dumps(run_job(spec)))


if __name__ == "__main__":
    main()
