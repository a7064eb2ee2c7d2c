"""Self-checks of the reference, independent of the TypeScript engine.

  /usr/bin/python3 bench/reference/selftest.py

1. gradcheck: autograd gradients of every model variant against finite differences (float64).
2. An independent forward: the whole causal sequence at every depth, written with `nn.Linear`-style
   transposed weights, a hand-written LayerNorm and GELU formula and an explicit causal mask, must
   give the same last-position logits as models.py's "last block: query only at the last position".
3. Batched M-model training (bmm) equals training each model alone.
4. models.AdamW equals torch.optim.AdamW (with the doc's warmup applied per step).
Prints one line per check and exits non-zero on any failure.
"""
import math
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

models.configure_threads(1)
failures = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        failures.append(name)


VARIANTS = [
    dict(kind="transformer", dModel=8, heads=2, layerNorm="none", activation="relu"),
    dict(kind="transformer", dModel=8, heads=2, layerNorm="pre", activation="gelu"),
    dict(kind="transformer", dModel=8, heads=4, layerNorm="post", activation="gelu"),
    dict(kind="transformer", dModel=8, heads=1, layerNorm="post", activation="relu", dMlp=12),
    dict(kind="mlp", dModel=6, activation="relu"),
    dict(kind="mlp", dModel=6, activation="gelu", dMlp=10),
    # depth: causal attention below the last block, hidden layers
    dict(kind="transformer", dModel=8, heads=2, layerNorm="none", activation="gelu", layers=2),
    dict(kind="transformer", dModel=8, heads=2, layerNorm="pre", activation="relu", layers=3),
    dict(kind="transformer", dModel=8, heads=4, layerNorm="post", activation="gelu", layers=2, dMlp=12),
    dict(kind="mlp", dModel=6, activation="relu", layers=3, dMlp=10),
]


def tiny_data(P=7, n=20, seed=0, S=3):
    g = torch.Generator().manual_seed(seed)
    a = torch.randint(0, P, (n,), generator=g)
    b = torch.randint(0, P, (n,), generator=g)
    cols = [a, b, torch.full((n,), P)] if S == 3 else [a, torch.full((n,), P + 1), b, torch.full((n,), P)]
    return torch.stack(cols, 1), (a + b) % P, P + 2, P


def name_of(cfg):
    return f"{cfg['kind']}/{cfg.get('layerNorm', '-')}/{cfg['activation']}/L{cfg.get('layers', 1)}"


# 1. gradcheck -----------------------------------------------------------------------------------
for cfg in VARIANTS:
    tokens, labels, V, C = tiny_data()
    p = models.init_params(cfg, V, 3, C, init_scale=0.7, seed=1, dtype=torch.float64)
    names = list(p)

    def f(*ts):
        return models.loss_fn(dict(zip(names, ts)), tokens, labels, cfg)

    inputs = tuple(t.clone().requires_grad_(True) for t in p.values())
    ok = torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5, raise_exception=False)
    check(f"gradcheck {name_of(cfg)}", ok)


# 2. independent full-sequence forward ------------------------------------------------------------
def ln_manual(x, g, b):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + 1e-5) * g + b


def gelu_manual(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def linear(x, w_in_out, b=None):
    # nn.Linear stores [out, in]: transpose the doc's [in, out] and use F.linear
    return torch.nn.functional.linear(x, w_in_out.t().contiguous(), b)


def full_sequence_logits(p, tokens, cfg):
    ln, d, H = cfg.get("layerNorm", "none"), cfg["dModel"], cfg["heads"]
    dh = d // H
    act = gelu_manual if cfg["activation"] == "gelu" else torch.relu
    N, S = tokens.shape
    x = p["embed.tok"][tokens] + p["embed.pos"][:S]
    for l in range(cfg.get("layers", 1)):
        w = {n: p[f"blocks.{l}.{n}"] for n in ("attn.wq", "attn.wk", "attn.wv", "attn.wo", "mlp.w1", "mlp.b1", "mlp.w2", "mlp.b2")}
        if ln != "none":
            w.update({n: p[f"blocks.{l}.{n}"] for n in ("ln1.g", "ln1.b", "ln2.g", "ln2.b")})
        a = ln_manual(x, w["ln1.g"], w["ln1.b"]) if ln == "pre" else x
        q = linear(a, w["attn.wq"]).view(N, S, H, dh).transpose(1, 2)
        k = linear(a, w["attn.wk"]).view(N, S, H, dh).transpose(1, 2)
        v = linear(a, w["attn.wv"]).view(N, S, H, dh).transpose(1, 2)
        att = q @ k.transpose(-1, -2) / math.sqrt(dh)
        mask = torch.triu(torch.ones(S, S, dtype=torch.bool), 1)
        att = att.masked_fill(mask, float("-inf")).softmax(-1)
        o = (att @ v).transpose(1, 2).reshape(N, S, d)
        h = x + linear(o, w["attn.wo"])
        if ln == "post":
            h = ln_manual(h, w["ln1.g"], w["ln1.b"])
        u = ln_manual(h, w["ln2.g"], w["ln2.b"]) if ln == "pre" else h
        r = h + linear(act(linear(u, w["mlp.w1"], w["mlp.b1"])), w["mlp.w2"], w["mlp.b2"])
        if ln == "post":
            r = ln_manual(r, w["ln2.g"], w["ln2.b"])
        x = r
    if ln == "pre":
        x = ln_manual(x, p["lnf.g"], p["lnf.b"])
    return linear(x, p["unembed.w"])[:, -1]


def mlp_manual(p, tokens, cfg):
    act = gelu_manual if cfg["activation"] == "gelu" else torch.relu
    x = torch.cat([p["embed.tok"][tokens[:, s]] for s in range(tokens.shape[1])], dim=1)
    for l in range(cfg.get("layers", 1)):
        x = act(linear(x, p[f"blocks.{l}.mlp.w1"], p[f"blocks.{l}.mlp.b1"]))
    return linear(x, p["unembed.w"], p["unembed.b"])


for cfg in VARIANTS:
    for S in (3, 4):  # `a b =` and the mixture layout `a op b =`
        tokens, labels, V, C = tiny_data(S=S, n=50, seed=S)
        p = models.init_params(cfg, V, S, C, init_scale=1.3, seed=2, dtype=torch.float64)
        ref = mlp_manual(p, tokens, cfg) if cfg["kind"] == "mlp" else full_sequence_logits(p, tokens, cfg)
        got = models.logits(p, tokens, cfg)
        err = (ref - got).abs().max().item()
        check(f"forward {name_of(cfg)} S={S}", err < 1e-12, f"max|diff|={err:.2e}")


# 3. batched models == one at a time ------------------------------------------------------------
for cfg in VARIANTS:
    tokens, labels, V, C = tiny_data(n=40, seed=3)
    M = 3
    pb = models.init_params(cfg, V, 3, C, init_scale=1.0, seed=4, dtype=torch.float64, models=M)
    singles = [{n: t[i].clone().requires_grad_(True) for n, t in pb.items()} for i in range(M)]
    pb = {n: t.requires_grad_(True) for n, t in pb.items()}
    opt_b = models.AdamW(pb, lr=1e-2, weight_decay=0.5, warmup_steps=2)
    opts = [models.AdamW(s, lr=1e-2, weight_decay=0.5, warmup_steps=2) for s in singles]
    err = 0.0
    for _ in range(3):
        models.train_step(pb, opt_b, tokens, labels, cfg)
        for s, o in zip(singles, opts):
            models.train_step(s, o, tokens, labels, cfg)
    for n in pb:
        for i in range(M):
            err = max(err, (pb[n][i] - singles[i][n]).abs().max().item())
    check(f"batched M={M} {name_of(cfg)}", err < 1e-12, f"max|diff| after 3 steps={err:.2e}")


# 4. AdamW == torch.optim.AdamW ------------------------------------------------------------------
cfg = VARIANTS[1]
tokens, labels, V, C = tiny_data(n=40, seed=5)
for dtype, tol in ((torch.float64, 1e-14), (torch.float32, 1e-6)):
    p0 = models.init_params(cfg, V, 3, C, init_scale=1.0, seed=6, dtype=dtype)
    mine = {n: t.clone().requires_grad_(True) for n, t in p0.items()}
    theirs = {n: t.clone().requires_grad_(True) for n, t in p0.items()}
    lr, warm = 3e-3, 4
    opt_m = models.AdamW(mine, lr=lr, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8, warmup_steps=warm)
    opt_t = torch.optim.AdamW(list(theirs.values()), lr=lr, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8)
    # the doc's warmup: lr_t = lr * min(1, t / warmup) at 1-based step t, i.e. LambdaLR with (e + 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt_t, lambda e: min(1.0, (e + 1) / warm))
    for _ in range(8):
        models.train_step(mine, opt_m, tokens, labels, cfg)
        models.loss_fn(theirs, tokens, labels, cfg).backward()
        opt_t.step()
        opt_t.zero_grad()
        sched.step()
    err = max((mine[n] - theirs[n]).abs().max().item() for n in mine)
    check(f"AdamW == torch.optim.AdamW+LambdaLR ({dtype})", err < tol, f"max|diff| after 8 steps={err:.2e}")

# 5. encoder: gradcheck on padded rows; extra padding changes nothing ----------------------------------
def padded_data(n=10, S=6, V=9, C=3, seed=3):
    g = torch.Generator().manual_seed(seed)
    tokens = torch.zeros((n, S), dtype=torch.int64)  # [PAD] = 0
    for i in range(n):
        k = int(torch.randint(2, S + 1, (1,), generator=g))
        tokens[i, 0] = 2  # [CLS]
        tokens[i, 1:k] = torch.randint(3, V, (k - 1,), generator=g)
    return tokens, torch.randint(0, C, (n,), generator=g), V, C


ENCODERS = [
    dict(kind="encoder", dModel=8, heads=2, dMlp=12, layerNorm="post", activation="gelu", pooling="cls", padToken=0),
    dict(kind="encoder", dModel=8, heads=2, dMlp=12, layerNorm="post", activation="gelu", pooling="mean", padToken=0),
    dict(kind="encoder", dModel=8, heads=4, dMlp=12, layerNorm="pre", activation="relu", pooling="mean", padToken=0),
    dict(kind="encoder", dModel=8, heads=1, layerNorm="none", activation="gelu", pooling="cls", padToken=0),
]
for cfg in ENCODERS:
    tokens, labels, V, C = padded_data()
    p = models.init_params(cfg, V, tokens.shape[1] + 4, C, init_scale=3.0, seed=2, dtype=torch.float64)
    names = list(p)

    def f(*ts):
        return models.loss_fn(dict(zip(names, ts)), tokens, labels, cfg)

    inputs = tuple(t.clone().requires_grad_(True) for t in p.values())
    ok = torch.autograd.gradcheck(f, inputs, eps=1e-6, atol=1e-7, rtol=1e-5, raise_exception=False)
    tag = f"encoder/{cfg['layerNorm']}/{cfg['pooling']}"
    check(f"gradcheck {tag}", ok)
    with torch.no_grad():
        longer = torch.cat([tokens, torch.zeros((tokens.shape[0], 4), dtype=torch.int64)], 1)
        err = (models.logits(p, tokens, cfg) - models.logits(p, longer, cfg)).abs().max().item()
        unmasked = (models.logits(p, tokens, cfg) - models.logits(p, longer, dict(cfg, padToken=-1))).abs().max().item()
    check(f"padding invariance {tag}", err < 1e-12 and unmasked > 1e-6, f"max|diff| with 4 more pads={err:.1e} (without the mask: {unmasked:.1e})")


print("selftest:", "FAILED " + ", ".join(failures) if failures else "all passed")
sys.exit(1 if failures else 0)
