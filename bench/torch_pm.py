#!/usr/bin/python3
"""PyTorch side of hhrl's preference-model benchmark (issue 4, item 7).

The reference GPT trunk of bench/torch_gpt.py (vocab 256, 4 layers, d_model 128, 4 heads, context 64, learned
positions, pre-LayerNorm, tanh-GELU MLP, final LayerNorm; the same Block class) with hhrl's preference head instead
of the LM head: a Linear(C, 1) with bias read at each sequence's last real token. One training step takes B pairs
as one batch of 2B right-padded sequences, loss = -logsigmoid(r_chosen - r_rejected).mean() (Bai et al. 2022 §3),
backward, global-norm clip 1.0, AdamW(lr 3e-4, betas (0.9, 0.95), eps 1e-8, weight decay 0.1 on 2-D weights).

Measures pairs/s = B / time of one full step, median of timed windows after warm-up, for every thread
configuration of torch_gpt.py (each in its own subprocess), and reports each and the best.

Run:  /usr/bin/python3 bench/torch_pm.py --json out.json [--quick] [--pairs 16]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import (  # noqa: E402  the same architecture, optimizer and thread configurations
    CONTEXT, D_MODEL, THREAD_CONFIGS, Trunk, VOCAB, init_weights, make_optimizer, write_json_atomic)

EXPECTED_PARAMS = 834_433  # torch_gpt's 867,072 - lm_head 128*256 + score head 129


class PreferenceModel(Trunk):
    def __init__(self):
        super().__init__()
        self.score = nn.Linear(D_MODEL, 1, bias=True)
        init_weights(self)

    def forward(self, idx, lengths):
        """Scores [N] of right-padded tokens idx [N, T] at position lengths-1."""
        x = self.hidden(idx)  # [N, T, C]
        last = x[torch.arange(idx.shape[0]), lengths - 1]  # [N, C]
        return self.score(last).squeeze(-1)  # [N]


def pm_loss(model, tokens, lengths, pairs):
    scores = model(tokens, lengths)  # [2B]
    return -F.logsigmoid(scores[:pairs] - scores[pairs:]).mean()


def measure(threads, pairs, quick, seed):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = PreferenceModel()
    params = sum(p.numel() for p in model.parameters())
    if params != EXPECTED_PARAMS:
        raise SystemExit(f"parameter count {params} != {EXPECTED_PARAMS}: the model does not match hhrl's")
    g = torch.Generator().manual_seed(seed)
    pool = []
    for _ in range(8):
        tokens = torch.randint(0, VOCAB, (2 * pairs, CONTEXT), generator=g)
        lengths = torch.randint(CONTEXT // 2, CONTEXT + 1, (2 * pairs,), generator=g)
        pool.append((tokens, lengths))
    reps = dict(warmup=3, windows=3, steps=5) if quick else dict(warmup=10, windows=7, steps=20)
    runs = []
    for foreach in (False, True):
        optimizer = make_optimizer(model, foreach)
        losses = []

        def step(i):
            tokens, lengths = pool[i % len(pool)]
            loss = pm_loss(model, tokens, lengths, pairs)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            return loss

        for i in range(reps["warmup"]):
            losses.append(step(i).item())
        rates = []
        for _ in range(reps["windows"]):
            start = time.perf_counter()
            for i in range(reps["steps"]):
                loss = step(i)
            losses.append(loss.item())
            rates.append(pairs * reps["steps"] / (time.perf_counter() - start))
        runs.append({"config": {"torch_threads": threads, "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
                                "adamw_foreach": foreach},
                     "pairs_per_s": statistics.median(rates), "windows_pairs_per_s": rates,
                     "loss_first": losses[0], "loss_last": losses[-1], "loadavg_1min": os.getloadavg()[0]})
    return {"params": params, "runs": runs}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the summary JSON here (atomically)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--pairs", type=int, default=16, help="comparisons per step (2x sequences of length 64)")
    parser.add_argument("--threads", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-json", help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.worker_json:
        write_json_atomic(args.worker_json, measure(args.threads, args.pairs, args.quick, args.seed))
        return
    runs, params = [], None
    for threads, blas in THREAD_CONFIGS:
        with tempfile.TemporaryDirectory() as tmp:
            part = os.path.join(tmp, "part.json")
            cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(threads), "--pairs", str(args.pairs),
                   "--seed", str(args.seed), "--worker-json", part] + (["--quick"] if args.quick else [])
            subprocess.run(cmd, env={**os.environ, "OPENBLAS_NUM_THREADS": blas}, check=True, stdout=subprocess.DEVNULL)
            with open(part, encoding="utf-8") as f:
                result = json.load(f)
        params = result["params"]
        runs.extend(result["runs"])
    best = max(runs, key=lambda r: r["pairs_per_s"])
    summary = {"torch_version": torch.__version__, "params": params, "pairs": args.pairs, "length": CONTEXT,
               "best": {"pairs_per_s": best["pairs_per_s"], "config": best["config"]}, "runs": runs}
    if args.json:
        write_json_atomic(args.json, summary)
    for r in runs:
        c = r["config"]
        print(f"torch threads {c['torch_threads']} blas {c['openblas_threads']} foreach={c['adamw_foreach']}: "
              f"{r['pairs_per_s']:.1f} pairs/s (load {r['loadavg_1min']:.1f})")
    print(f"best: {best['pairs_per_s']:.1f} pairs/s {json.dumps(best['config'])}")


if __name__ == "__main__":
    main()
