"""PyTorch reference of docs/models.md: the `transformer` and `mlp` (any depth), the `encoder` and AdamW.

Functional on purpose: a model is a dict {name: tensor} with the doc's names and `[in, out]`
shapes, applied as `x @ W`, so an engine checkpoint loads without any renaming or transposing.

Every function also accepts a leading model dimension M on every parameter (`[M, in, out]`):
`@` then becomes a batched matmul (bmm), which is how bench.py trains M models at once.
The encoder is written as BERT computes it (every position, additive key mask) for one model.
"""
import math

import torch
import torch.nn.functional as F

LN_EPS = 1e-5


def configure_threads(n=1):
    """One torch thread: torch threads plus OpenBLAS threads oversubscribe a 2-core machine.
    (Callers should also export OPENBLAS_NUM_THREADS=1 before torch is imported.)"""
    torch.set_num_threads(n)


# ---------------------------------------------------------------------------------------------
# shapes and init


def d_mlp(cfg):
    return cfg.get("dMlp") or 4 * cfg["dModel"]


def block(l, name):
    """Block l's tensor: blocks.<l>.<name> (e.g. blocks.0.attn.wq)."""
    return f"blocks.{l}.{name}"


def param_shapes(cfg, vocab, seq_len, classes):
    """{name: (shape, kind)} where kind is 'embed', 'weight', 'bias', 'ln_g' or 'ln_b'."""
    d, f = cfg["dModel"], d_mlp(cfg)
    layers = cfg.get("layers", 1)
    if cfg.get("kind", "transformer") == "mlp":
        shapes = {"embed.tok": ((vocab, d), "embed")}
        for l in range(layers):
            shapes[block(l, "mlp.w1")] = ((seq_len * d if l == 0 else f, f), "weight")
            shapes[block(l, "mlp.b1")] = ((f,), "bias")
        shapes.update({"unembed.w": ((f, classes), "weight"), "unembed.b": ((classes,), "bias")})
        return shapes
    if cfg.get("kind") == "encoder":
        return _encoder_shapes(cfg, vocab, seq_len, classes)
    shapes = {"embed.tok": ((vocab, d), "embed"), "embed.pos": ((seq_len, d), "embed")}
    for l in range(layers):
        for x in "qkvo":
            shapes[block(l, "attn.w" + x)] = ((d, d), "weight")
        shapes.update({
            block(l, "mlp.w1"): ((d, f), "weight"),
            block(l, "mlp.b1"): ((f,), "bias"),
            block(l, "mlp.w2"): ((f, d), "weight"),
            block(l, "mlp.b2"): ((d,), "bias"),
        })
    shapes["unembed.w"] = ((d, classes), "weight")
    ln = cfg.get("layerNorm", "none")
    names = [block(l, n) for l in range(layers) for n in ("ln1", "ln2")] + (["lnf"] if ln == "pre" else []) if ln != "none" else []
    for n in names:
        shapes[n + ".g"] = ((d,), "ln_g")
        shapes[n + ".b"] = ((d,), "ln_b")
    return shapes


def _encoder_shapes(cfg, vocab, seq_len, classes):
    d, f = cfg["dModel"], d_mlp(cfg)
    ln = cfg.get("layerNorm", "none")
    shapes = {"embed.tok": ((vocab, d), "embed"), "embed.pos": ((seq_len, d), "embed")}
    if ln == "post":
        shapes.update({"ln0.g": ((d,), "ln_g"), "ln0.b": ((d,), "ln_b")})
    for x in "qkvo":
        shapes["attn.w" + x] = ((d, d), "weight")
        shapes["attn.b" + x] = ((d,), "bias")
    shapes.update({"mlp.w1": ((d, f), "weight"), "mlp.b1": ((f,), "bias"), "mlp.w2": ((f, d), "weight"), "mlp.b2": ((d,), "bias")})
    for n in (["ln1", "ln2"] + (["lnf"] if ln == "pre" else [])) if ln != "none" else []:
        shapes[n + ".g"] = ((d,), "ln_g")
        shapes[n + ".b"] = ((d,), "ln_b")
    shapes.update({"pool.w": ((d, d), "weight"), "pool.b": ((d,), "bias"), "cls.w": ((d, classes), "weight"), "cls.b": ((classes,), "bias")})
    return shapes


def _weight_of(bias_name):
    """The weight a bias belongs to (its fan_in): mlp.b1 -> mlp.w1, attn.bq -> attn.wq, cls.b -> cls.w."""
    head, _, last = bias_name.rpartition(".")
    return head + ".w" + last[1:]


def init_params(cfg, vocab, seq_len, classes, init_scale=1.0, seed=0, dtype=torch.float32, models=None):
    """The doc's init (pytorch or N(0, sigma)), times alpha. `models=M` adds a leading model dim.
    The random streams differ from the engine's; parity always starts from engine weights."""
    g = torch.Generator().manual_seed(seed)
    std = cfg.get("initStd", "pytorch")
    lead = (models,) if models else ()
    shapes = param_shapes(cfg, vocab, seq_len, classes)
    # a bias's fan_in is that of the weight it belongs to
    fan_in = {n: s[0] for n, (s, k) in shapes.items() if k == "weight"}
    p = {}
    for name, (shape, kind) in shapes.items():
        full = lead + tuple(shape)
        if kind == "ln_g":
            t = torch.ones(full, dtype=torch.float64)
        elif kind == "ln_b":
            t = torch.zeros(full, dtype=torch.float64)
        elif std != "pytorch":
            t = torch.randn(full, generator=g, dtype=torch.float64) * std if kind != "bias" else torch.zeros(full, dtype=torch.float64)
        elif kind == "embed":
            t = torch.randn(full, generator=g, dtype=torch.float64)
        else:
            bound = 1.0 / math.sqrt(fan_in[name] if kind == "weight" else fan_in[_weight_of(name)])
            t = (torch.rand(full, generator=g, dtype=torch.float64) * 2 - 1) * bound
        p[name] = (t * init_scale).to(dtype)
    return p


# ---------------------------------------------------------------------------------------------
# forward


def _act(x, cfg):
    if cfg.get("activation", "relu") == "gelu":
        return F.gelu(x, approximate="tanh")
    return torch.relu(x)


def _ln(x, p, name):
    g, b = p[name + ".g"], p[name + ".b"]
    if g.dim() == 1:
        return F.layer_norm(x, (x.shape[-1],), g, b, LN_EPS)
    # batched models: normalise, then a per-model affine broadcast over the example dims
    y = F.layer_norm(x, (x.shape[-1],), None, None, LN_EPS)
    extra = x.dim() - 2
    return y * g.view(g.shape[0], *([1] * extra), -1) + b.view(b.shape[0], *([1] * extra), -1)


def _bias(b, like):
    """[F] or [M, F] as something that broadcasts against [N, F] or [M, N, F]."""
    return b if b.dim() == 1 else b.unsqueeze(1)


def _embed(table, tokens):
    """[V, d] or [M, V, d] gathered at [N, S] tokens -> [N, S, d] or [M, N, S, d].
    F.embedding (index_select) is several times faster than advanced indexing on the CPU; M
    models become one [M*V, d] table with offset token ids."""
    if table.dim() == 2:
        return F.embedding(tokens, table)
    M, V, d = table.shape
    offsets = (torch.arange(M, device=tokens.device) * V).view(M, 1, 1)
    return F.embedding(tokens.unsqueeze(0) + offsets, table.reshape(M * V, d))


def _linear(x, w, b=None):
    """x [.., N, T, in] @ w [in, out] (or [M, in, out]) as one product over the N*T rows (+ b)."""
    lead = x.shape[:-1]
    y = x.reshape(*x.shape[:-3], -1, x.shape[-1]) @ w
    if b is not None:
        y = y + _bias(b, y)
    return y.reshape(*lead, y.shape[-1])


def _causal_attention(q, k, v, heads):
    """q [.., N, Sq, d] (the last Sq positions), k, v [.., N, S, d]: query i (position S-Sq+i)
    attends to keys 0..S-Sq+i. S is tiny (3 or 4): broadcast-multiply and sum."""
    *lead, Sq, d = q.shape
    S = k.shape[-2]
    dh = d // heads
    q = q.reshape(*lead, Sq, 1, heads, dh)
    k = k.reshape(*lead, 1, S, heads, dh)
    v = v.reshape(*lead, 1, S, heads, dh)
    scores = (q * k).sum(-1) / math.sqrt(dh)  # [.., N, Sq, S, H]
    if Sq > 1:
        later = torch.arange(S, device=q.device).view(1, S) > torch.arange(S - Sq, S, device=q.device).view(Sq, 1)
        scores = scores.masked_fill(later.view(Sq, S, 1), float("-inf"))
    probs = torch.softmax(scores, dim=-2)
    return (probs.unsqueeze(-1) * v).sum(-3).reshape(*lead, Sq, d)


def transformer_logits(p, tokens, cfg):
    """tokens: int64 [N, S]. Returns logits [N, C] (or [M, N, C]). L decoder blocks with causal
    attention; below the last block every position is computed, in the last only the last one
    (the only position that is read)."""
    ln = cfg.get("layerNorm", "none")
    heads = cfg.get("heads", 4)
    layers = cfg.get("layers", 1)
    S = tokens.shape[-1]
    pos = p["embed.pos"][..., :S, :]
    x = _embed(p["embed.tok"], tokens) + (pos if pos.dim() == 2 else pos.unsqueeze(1))  # [.., N, S, d]
    for l in range(layers):
        b = {n[len(block(l, "")):]: t for n, t in p.items() if n.startswith(block(l, ""))}
        Sq = 1 if l == layers - 1 else S
        a = _ln(x, b, "ln1") if ln == "pre" else x
        k, v = _linear(a, b["attn.wk"]), _linear(a, b["attn.wv"])
        q = _linear(a[..., S - Sq:, :], b["attn.wq"])
        h = x[..., S - Sq:, :] + _linear(_causal_attention(q, k, v, heads), b["attn.wo"])
        if ln == "post":
            h = _ln(h, b, "ln1")
        u = _ln(h, b, "ln2") if ln == "pre" else h
        r = h + _linear(_act(_linear(u, b["mlp.w1"], b["mlp.b1"]), cfg), b["mlp.w2"], b["mlp.b2"])
        if ln == "post":
            r = _ln(r, b, "ln2")
        x = r
    r = x[..., -1, :]
    if ln == "pre":
        r = _ln(r, p, "lnf")
    return r @ p["unembed.w"]


def mlp_logits(p, tokens, cfg):
    e = _embed(p["embed.tok"], tokens)  # [.., N, S, d]
    x = e.reshape(*e.shape[:-2], -1)  # concat over positions: [.., N, S*d]
    for l in range(cfg.get("layers", 1)):
        x = _act(x @ p[block(l, "mlp.w1")] + _bias(p[block(l, "mlp.b1")], x), cfg)
    return x @ p["unembed.w"] + _bias(p["unembed.b"], x)


def encoder_logits(p, tokens, cfg):
    """The 1-layer BERT-style encoder (one model): tokens int64 [N, S], padding id cfg["padToken"]
    (absent or < 0: no padding). Every position attends to every unpadded position; pooling takes
    position 0 ("cls") or the mean over unpadded positions; then tanh pooler and classifier."""
    if p["embed.tok"].dim() != 2:
        raise NotImplementedError("encoder_logits: one model at a time")
    ln = cfg.get("layerNorm", "none")
    d, heads = cfg["dModel"], cfg.get("heads", 4)
    dh = d // heads
    N, S = tokens.shape
    pad = cfg.get("padToken", -1)
    valid = tokens != pad if pad is not None and pad >= 0 else torch.ones_like(tokens, dtype=torch.bool)
    x = F.embedding(tokens, p["embed.tok"]) + p["embed.pos"][:S]
    if ln == "post":
        x = _ln(x, p, "ln0")  # BERT's embedding LayerNorm
    a = _ln(x, p, "ln1") if ln == "pre" else x

    def heads_of(w, b):
        return (a @ p[w] + p[b]).view(N, S, heads, dh).transpose(1, 2)  # [N, H, S, dh]

    q, k, v = heads_of("attn.wq", "attn.bq"), heads_of("attn.wk", "attn.bk"), heads_of("attn.wv", "attn.bv")
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(dh)
    scores = scores.masked_fill(~valid[:, None, None, :], float("-inf"))
    o = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(N, S, d)
    h = x + o @ p["attn.wo"] + p["attn.bo"]
    if ln == "post":
        h = _ln(h, p, "ln1")
    u = _ln(h, p, "ln2") if ln == "pre" else h
    r = h + _act(u @ p["mlp.w1"] + p["mlp.b1"], cfg) @ p["mlp.w2"] + p["mlp.b2"]
    if ln == "post":
        r = _ln(r, p, "ln2")
    elif ln == "pre":
        r = _ln(r, p, "lnf")
    if cfg.get("pooling", "mean") == "cls":
        pooled = r[:, 0]
    else:
        w = valid.to(r.dtype).unsqueeze(-1)
        pooled = (r * w).sum(1) / w.sum(1)
    return torch.tanh(pooled @ p["pool.w"] + p["pool.b"]) @ p["cls.w"] + p["cls.b"]


def logits(p, tokens, cfg):
    if cfg.get("kind", "transformer") == "encoder":
        return encoder_logits(p, tokens, cfg)
    if cfg.get("kind", "transformer") == "mlp":
        return mlp_logits(p, tokens, cfg)
    return transformer_logits(p, tokens, cfg)


def loss_fn(p, tokens, labels, cfg):
    """Mean cross-entropy over the batch; with M models, the sum of the per-model means (so each
    model's gradient is exactly its own)."""
    z = logits(p, tokens, cfg)
    if z.dim() == 2:
        return F.cross_entropy(z, labels)
    lp = torch.log_softmax(z, dim=-1)
    nll = -lp.gather(-1, labels.view(1, -1, 1).expand(z.shape[0], -1, 1)).squeeze(-1)
    return nll.mean(dim=-1).sum()


def accuracy(p, tokens, labels, cfg):
    with torch.no_grad():
        return (logits(p, tokens, cfg).argmax(-1) == labels).to(torch.float64).mean(-1)


# ---------------------------------------------------------------------------------------------
# AdamW, written out exactly as the doc says (PyTorch semantics, decay on every parameter)


class AdamW:
    def __init__(self, params, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98), eps=1e-8, warmup_steps=0, step=0, state=None):
        self.params = params  # {name: leaf tensor with requires_grad}
        self.lr, self.wd, self.betas, self.eps, self.warmup = lr, weight_decay, betas, eps, warmup_steps
        self.t = step
        state = state or {}
        self.m = {n: state.get("adam.m." + n, torch.zeros_like(t)).to(t.dtype).clone() for n, t in params.items()}
        self.v = {n: state.get("adam.v." + n, torch.zeros_like(t)).to(t.dtype).clone() for n, t in params.items()}

    def lr_at(self, t):
        return self.lr * min(1.0, t / self.warmup) if self.warmup > 0 else self.lr

    @torch.no_grad()
    def step(self):
        self.t += 1
        t = self.t
        lr = self.lr_at(t)
        b1, b2 = self.betas
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        for n, p in self.params.items():
            g = p.grad
            p.mul_(1 - lr * self.wd)
            self.m[n].mul_(b1).add_(g, alpha=1 - b1)
            self.v[n].mul_(b2).addcmul_(g, g, value=1 - b2)
            # same op order as torch.optim.AdamW (single-tensor path): m/bc1 / (sqrt(v)/sqrt(bc2) + eps)
            denom = (self.v[n].sqrt() / math.sqrt(bc2)).add_(self.eps)
            p.addcdiv_(self.m[n], denom, value=-lr / bc1)
            p.grad = None

    def state_dict(self):
        out = {"adam.m." + n: t for n, t in self.m.items()}
        out.update({"adam.v." + n: t for n, t in self.v.items()})
        return out


def train_step(p, opt, tokens, labels, cfg):
    """One full-batch step; returns the loss before the update (a float, or per-model list)."""
    loss = loss_fn(p, tokens, labels, cfg)
    loss.backward()
    opt.step()
    return loss.item()
