#!/usr/bin/python3
"""PyTorch side of hhrl's engine benchmark (issue 2, item 5).

The reference GPT exactly as hhrl builds it: GPT-2 style decoder, vocab 256, 4 layers, d_model 128, 4 heads
(head dim 32), context 64, learned positions, pre-LayerNorm (eps 1e-5, weight + bias), fused qkv Linear with bias,
causal softmax attention scaled by 1/sqrt(head_dim), tanh-GELU MLP (4C), final LayerNorm, UNTIED lm head without
bias, no dropout: 867,072 parameters. Loss: mean next-token cross-entropy over all B*T positions. Optimizer:
AdamW(lr 3e-4, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on 2-D weights only) after global-norm clipping at 1.0.

Measures
  train    tokens/s = B*T / time of one full step (forward, backward, clip, optimizer step), median of timed
           windows after warm-up;
  generate tokens/s = B*new_tokens / time, batch 16, a 1-token prompt, 64 new tokens with a KV cache, sampling
           with torch.multinomial from the softmax at temperature 1 under torch.inference_mode(), median of runs.

Run with Debian's PyTorch:  /usr/bin/python3 bench/torch_gpt.py --json out.json [--quick]
  (apt-get install python3-torch libopenblas0-pthread)
Without --threads the driver runs every thread configuration in its own subprocess (torch threads and
OPENBLAS_NUM_THREADS are fixed when a process starts) and reports each and the best per measurement.
With --threads N it measures one configuration in this process; the caller sets OPENBLAS_NUM_THREADS.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, LAYERS, D_MODEL, HEADS, CONTEXT, BATCH = 256, 4, 128, 4, 64, 16
EXPECTED_PARAMS = 867_072
NEW_TOKENS = 64
PROMPT_TOKENS = 1
MIN_REPEATS = 3  # timed windows / runs per measurement, at least; the median is over these

# (torch threads, OPENBLAS_NUM_THREADS) tried by the driver. On 2 cores: one torch thread with a 2-thread BLAS, or
# two torch threads with a 1-thread BLAS (no oversubscription) or with BLAS's own default of 2.
THREAD_CONFIGS = [(1, "2"), (2, "1"), (2, "2")]


# ----------------------------------------------------------------------------------------------------------------
# Model


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(D_MODEL, 3 * D_MODEL, bias=True)
        self.c_proj = nn.Linear(D_MODEL, D_MODEL, bias=True)
        self.head_dim = D_MODEL // HEADS
        self.scale = 1.0 / math.sqrt(self.head_dim)
        mask = torch.tril(torch.ones(CONTEXT, CONTEXT, dtype=torch.bool))
        self.register_buffer("causal", mask.view(1, 1, CONTEXT, CONTEXT), persistent=False)

    def split_heads(self, x):
        b, t, _ = x.shape
        return x.view(b, t, HEADS, self.head_dim).transpose(1, 2)  # [B, H, T, hd]

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(D_MODEL, dim=2)  # 3 x [B, T, C]
        q, k, v = self.split_heads(q), self.split_heads(k), self.split_heads(v)  # [B, H, T, hd]
        att = (q @ k.transpose(-2, -1)) * self.scale  # [B, H, T, T]
        att = att.masked_fill(~self.causal[:, :, :t, :t], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = att @ v  # [B, H, T, hd]
        y = y.transpose(1, 2).contiguous().view(b, t, c)  # [B, T, C]
        return self.c_proj(y)

    def step(self, x, cache, pos, mulsum):
        """One token at position `pos`: x [B, C]; cache = (k, v) each [B, H, CONTEXT, hd], written in place."""
        b, c = x.shape
        q, k, v = self.c_attn(x).split(D_MODEL, dim=1)  # 3 x [B, C]
        k_cache, v_cache = cache
        k_cache[:, :, pos] = k.view(b, HEADS, self.head_dim)
        v_cache[:, :, pos] = v.view(b, HEADS, self.head_dim)
        keys = k_cache[:, :, : pos + 1]  # [B, H, L, hd]
        values = v_cache[:, :, : pos + 1]  # [B, H, L, hd]
        if mulsum:
            q = q.view(b, HEADS, 1, self.head_dim)  # [B, H, 1, hd]
            att = (q * keys).sum(-1) * self.scale  # [B, H, L]
            att = F.softmax(att, dim=-1)
            y = (att.unsqueeze(-1) * values).sum(-2)  # [B, H, hd]
        else:
            q = q.view(b, HEADS, 1, self.head_dim)  # [B, H, 1, hd]
            att = (q @ keys.transpose(-2, -1)) * self.scale  # [B, H, 1, L]
            att = F.softmax(att, dim=-1)
            y = att @ values  # [B, H, 1, hd]
        return self.c_proj(y.reshape(b, c))  # [B, C]


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(D_MODEL, 4 * D_MODEL, bias=True)
        self.c_proj = nn.Linear(4 * D_MODEL, D_MODEL, bias=True)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D_MODEL, eps=1e-5)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(D_MODEL, eps=1e-5)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))

    def step(self, x, cache, pos, mulsum):
        x = x + self.attn.step(self.ln_1(x), cache, pos, mulsum)
        return x + self.mlp(self.ln_2(x))


def init_weights(model):
    """hhrl's init: normal(0, 0.02) for 2-D weights, zeros for biases (LayerNorm weights stay 1)."""
    for name, p in model.named_parameters():
        if p.dim() == 2:
            nn.init.normal_(p, mean=0.0, std=0.02)
        elif name.endswith("bias"):
            nn.init.zeros_(p)


class Trunk(nn.Module):
    """Embeddings, blocks and final LayerNorm: the body the LM, the PM (torch_pm) and PPO (torch_ppo) share."""

    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, D_MODEL)
        self.wpe = nn.Embedding(CONTEXT, D_MODEL)
        self.h = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = nn.LayerNorm(D_MODEL, eps=1e-5)

    def hidden(self, idx):
        """Final-LayerNorm hidden states [B, T, C] of tokens idx [B, T]."""
        pos = torch.arange(idx.shape[1], device=idx.device)
        x = self.wte(idx) + self.wpe(pos)  # [B, T, C]
        for block in self.h:
            x = block(x)
        return self.ln_f(x)


class GPT(Trunk):
    def __init__(self):
        super().__init__()
        self.lm_head = nn.Linear(D_MODEL, VOCAB, bias=False)  # untied
        init_weights(self)

    def forward(self, idx):
        return self.lm_head(self.hidden(idx))  # [B, T, V]

    def new_cache(self, batch):
        shape = (batch, HEADS, CONTEXT, D_MODEL // HEADS)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.h]

    def step(self, tokens, pos, cache, mulsum):
        """Logits [B, V] for tokens [B] at position `pos`, reading and extending the KV cache."""
        x = self.wte(tokens) + self.wpe.weight[pos]  # [B, C]
        for block, layer_cache in zip(self.h, cache):
            x = block.step(x, layer_cache, pos, mulsum)
        return self.lm_head(self.ln_f(x))  # [B, V]


def loss_fn(model, batch):
    """Mean cross-entropy of next-token prediction over all B*T positions: batch [B, T+1]."""
    inputs, targets = batch[:, :-1], batch[:, 1:]  # [B, T]
    logits = model(inputs)  # [B, T, V]
    return F.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))


def make_optimizer(model, foreach):
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=3e-4, betas=(0.9, 0.95), eps=1e-8, foreach=foreach)


# ----------------------------------------------------------------------------------------------------------------
# Measurements


def check_kv_cache(model, seed):
    """Max |logits| difference between cached one-token steps and full recomputation, for both attention variants."""
    g = torch.Generator().manual_seed(seed)
    seq = torch.randint(0, VOCAB, (BATCH, CONTEXT), generator=g)
    out = {}
    with torch.inference_mode():
        full = model(seq)  # [B, T, V]
        for mulsum in (False, True):
            cache = model.new_cache(BATCH)
            worst = 0.0
            for pos in range(CONTEXT):
                logits = model.step(seq[:, pos], pos, cache, mulsum)
                worst = max(worst, (logits - full[:, pos]).abs().max().item())
            out["mulsum" if mulsum else "matmul"] = worst
    return out


def measure_train(model, foreach, warmup, windows, steps_per_window, budget_s, seed):
    """Tokens/s of full training steps, one value per timed window (at least MIN_REPEATS, then until budget_s)."""
    optimizer = make_optimizer(model, foreach)
    g = torch.Generator().manual_seed(seed)
    pool = [torch.randint(0, VOCAB, (BATCH, CONTEXT + 1), generator=g) for _ in range(8)]
    losses = []

    def train_step(i):
        loss = loss_fn(model, pool[i % len(pool)])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        return loss

    for i in range(warmup):
        losses.append(train_step(i).item())
    rates = []
    began = time.perf_counter()
    for _ in range(windows):
        if len(rates) >= MIN_REPEATS and time.perf_counter() - began > budget_s:
            break
        start = time.perf_counter()
        for i in range(steps_per_window):
            loss = train_step(i)
        last = loss.item()
        elapsed = time.perf_counter() - start
        losses.append(last)
        rates.append(BATCH * CONTEXT * steps_per_window / elapsed)
    return rates, losses


def generate(model, prompt, mulsum, generator):
    """Sample NEW_TOKENS tokens per row after `prompt` [B, P] with a KV cache; returns [B, P + NEW_TOKENS]."""
    b, p = prompt.shape
    assert p + NEW_TOKENS - 1 <= CONTEXT, "prompt + new tokens must fit the context"
    cache = model.new_cache(b)
    out = torch.empty((b, p + NEW_TOKENS), dtype=torch.long)
    out[:, :p] = prompt
    for pos in range(p - 1):  # feed the prompt except its last token
        model.step(prompt[:, pos], pos, cache, mulsum)
    token = prompt[:, p - 1]
    for i in range(NEW_TOKENS):  # positions p-1 .. p+NEW_TOKENS-2: 64 forward steps for 64 new tokens
        logits = model.step(token, p - 1 + i, cache, mulsum)  # [B, V]
        probs = F.softmax(logits, dim=-1)  # temperature 1
        token = torch.multinomial(probs, 1, generator=generator).view(b)
        out[:, p + i] = token
    return out


def measure_generate(model, mulsum, warmup, runs, budget_s, seed):
    """Tokens/s of batch-16 generation, one value per run (at least MIN_REPEATS, then until budget_s)."""
    g = torch.Generator().manual_seed(seed)
    prompt = torch.randint(0, VOCAB, (BATCH, PROMPT_TOKENS), generator=g)
    rates = []
    with torch.inference_mode():
        for _ in range(warmup):
            generate(model, prompt, mulsum, g)
        began = time.perf_counter()
        for _ in range(runs):
            if len(rates) >= MIN_REPEATS and time.perf_counter() - began > budget_s:
                break
            start = time.perf_counter()
            generate(model, prompt, mulsum, g)
            rates.append(BATCH * NEW_TOKENS / (time.perf_counter() - start))
    return rates


def run_worker(threads, quick, seed):
    """Every measurement for one thread configuration, in this process."""
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = GPT()
    params = sum(p.numel() for p in model.parameters())
    if params != EXPECTED_PARAMS:
        raise SystemExit(f"parameter count {params} != {EXPECTED_PARAMS}: the model does not match hhrl's")
    kv_error = check_kv_cache(model, seed)
    if max(kv_error.values()) > 1e-4:
        raise SystemExit(f"KV-cache logits differ from full recomputation: {kv_error}")
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    base = {"torch_threads": threads, "openblas_threads": blas}
    # Timed repeats stop early (after MIN_REPEATS) once a measurement has used its budget, so a configuration that
    # collapses on a busy machine (two OpenMP threads fighting other processes for 2 cores) cannot take many minutes.
    reps = dict(warmup=3, windows=3, steps_per_window=5, budget_s=5.0) if quick else \
        dict(warmup=10, windows=7, steps_per_window=20, budget_s=30.0)
    gen_reps = dict(warmup=1, runs=3, budget_s=5.0) if quick else dict(warmup=2, runs=9, budget_s=20.0)
    runs = []
    for foreach in (False, True):
        model = GPT()  # fresh weights per optimizer variant, same seed stream is irrelevant for speed
        load_before = os.getloadavg()[0]
        rates, losses = measure_train(model, foreach, seed=seed, **reps)
        runs.append({"measure": "train", "config": {**base, "adamw_foreach": foreach},
                     "loadavg_1min": [load_before, os.getloadavg()[0]],
                     "tokens_per_s": statistics.median(rates), "windows_tokens_per_s": rates,
                     "steps_per_window": reps["steps_per_window"], "loss_first": losses[0], "loss_last": losses[-1]})
    model.eval()
    for mulsum in (False, True):
        load_before = os.getloadavg()[0]
        rates = measure_generate(model, mulsum, seed=seed, **gen_reps)
        runs.append({"measure": "generate", "loadavg_1min": [load_before, os.getloadavg()[0]],
                     "config": {**base, "one_token_attention": "mulsum" if mulsum else "matmul",
                                "sampling": "multinomial, temperature 1", "prompt_tokens": PROMPT_TOKENS,
                                "new_tokens": NEW_TOKENS, "batch": BATCH},
                     "tokens_per_s": statistics.median(rates), "runs_tokens_per_s": rates})
    return {"params": params, "kv_cache_max_abs_diff": kv_error, "runs": runs}


def summarize(params, runs, kv_error):
    def best(measure):
        candidates = [r for r in runs if r["measure"] == measure]
        top = max(candidates, key=lambda r: r["tokens_per_s"])
        return {"tokens_per_s": top["tokens_per_s"], "config": top["config"]}

    return {
        "torch_version": torch.__version__,
        "params": params,
        "model": {"vocab": VOCAB, "layers": LAYERS, "d_model": D_MODEL, "heads": HEADS, "context": CONTEXT,
                  "batch": BATCH, "tied": False},
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "kv_cache_max_abs_diff": kv_error,
        "train": best("train"),
        "generate": best("generate"),
        "runs": runs,
    }


def run_driver(quick, seed):
    """Every THREAD_CONFIGS entry in its own subprocess; runs gathered in order."""
    runs, params, kv_error = [], None, {}
    for threads, blas in THREAD_CONFIGS:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": blas}
        with tempfile.TemporaryDirectory() as tmp:
            part = os.path.join(tmp, "part.json")
            cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(threads), "--seed", str(seed),
                   "--worker-json", part] + (["--quick"] if quick else [])
            subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
            with open(part, encoding="utf-8") as f:
                result = json.load(f)
        params = result["params"]
        for variant, diff in result["kv_cache_max_abs_diff"].items():
            kv_error[variant] = max(kv_error.get(variant, 0.0), diff)
        runs.extend(result["runs"])
    return summarize(params, runs, kv_error)


def write_json_atomic(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".torch_gpt.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def print_table(summary, file):
    print("(load 1m: the machine's 1-minute load average around the run; above the core count, numbers are noisy)",
          file=file)
    print(f"PyTorch {summary['torch_version']}, params {summary['params']:,}, "
          f"KV-cache vs full recompute max |diff| {max(summary['kv_cache_max_abs_diff'].values()):.2e}", file=file)
    print(f"{'measure':<9} {'torch thr':>9} {'blas thr':>8} {'variant':<14} {'tokens/s':>10} {'load 1m':>8}",
          file=file)
    for r in summary["runs"]:
        c = r["config"]
        variant = f"foreach={c['adamw_foreach']}" if r["measure"] == "train" else c["one_token_attention"]
        print(f"{r['measure']:<9} {c['torch_threads']:>9} {c['openblas_threads']:>8} {variant:<14} "
              f"{r['tokens_per_s']:>10.0f} {max(r['loadavg_1min']):>8.1f}", file=file)
    for measure in ("train", "generate"):
        b = summary[measure]
        print(f"best {measure}: {b['tokens_per_s']:.0f} tokens/s  {json.dumps(b['config'])}", file=file)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the summary JSON here (atomically)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--threads", type=int, help="measure only this torch thread count, in this process "
                                                    "(set OPENBLAS_NUM_THREADS yourself)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker-json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be >= 1")

    if args.worker_json:
        write_json_atomic(args.worker_json, run_worker(args.threads or 1, args.quick, args.seed))
        return
    if args.threads is not None:
        result = run_worker(args.threads, args.quick, args.seed)
        summary = summarize(result["params"], result["runs"], result["kv_cache_max_abs_diff"])
    else:
        summary = run_driver(args.quick, args.seed)
    if args.json:
        write_json_atomic(args.json, summary)
    print_table(summary, sys.stdout)


if __name__ == "__main__":
    main()
