#!/usr/bin/python3
"""PyTorch side of hhrl's PPO benchmark (issue 5, item 7): one PPO iteration on the reference GPT of
bench/torch_gpt.py (vocab 256, 4 layers, d_model 128, 4 heads, context 64), split like hhrl's:

  generate  16 rows, a 16-token prompt, 48 new tokens sampled at temperature 1 with a KV cache
            (torch_gpt.generate's loop), under torch.inference_mode();
  score     one forward of the policy (log-probs, entropies, value head), one of the frozen reference
            (log-probs) and one of a preference model (scalar head at the last token), [16, 64] each;
  update    GAE (γ = 1, λ = 0.95) and whitening on the host, then 2 epochs × 2 minibatches of 8 rows of
            the PPO loss (clipped surrogate ε = 0.2, clipped value loss, value coef 0.1) with
            forward, backward, clip-norm 1 and AdamW (lr 1e-4) per minibatch.

Tokens/s: generate = 16·48 / time; score = 3·16·64 / time (three [16, 64] forwards); update =
2·16·64 / time. Medians of --runs iterations after one warm-up. Writes JSON with --json.
Run: /usr/bin/python3 bench/torch_ppo.py --threads 2 --json out.json
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torch_gpt as ref  # noqa: E402

B, PROMPT, NEW, MINI, EPOCHS = 16, 16, 48, 8, 2
T = PROMPT + NEW  # 64 = the reference context
ref.NEW_TOKENS = NEW  # torch_gpt.generate reads its module constant


def outputs(model, head, idx):
    """Log-probs and entropies [B, T-1] of the next tokens, and the head's scalar per position [B, T]."""
    h = model.hidden(idx)
    logp_all = F.log_softmax(model.lm_head(h[:, :-1]), dim=-1)  # [B, T-1, V]
    logp = logp_all.gather(2, idx[:, 1:].unsqueeze(-1)).squeeze(-1)
    entropy = -(logp_all.exp() * logp_all).sum(-1)
    return logp, entropy, head(h).squeeze(-1)


def gae(rewards, values, gamma=1.0, lam=0.95):
    adv = torch.zeros_like(rewards)
    running = torch.zeros(rewards.shape[0])
    for t in reversed(range(rewards.shape[1])):
        nxt = values[:, t + 1] if t + 1 < rewards.shape[1] else torch.zeros(rewards.shape[0])
        delta = rewards[:, t] + gamma * nxt - values[:, t]
        running = delta + gamma * lam * running
        adv[:, t] = running
    return adv, adv + values


def iteration(policy, value_head, reference, pm, pm_head, optimizer, g):
    prompt = torch.randint(0, ref.VOCAB, (B, PROMPT), generator=g)
    t0 = time.perf_counter()
    with torch.inference_mode():
        seq = ref.generate(policy, prompt, True, g)  # [B, PROMPT + NEW]
    t1 = time.perf_counter()
    with torch.inference_mode():
        logp, entropy, values = outputs(policy, value_head, seq)
        ref_logp, _, _ = outputs(reference, lambda h: h[..., :1], seq)
        score = pm_head(pm.hidden(seq)[:, -1]).squeeze(-1)  # [B]
    t2 = time.perf_counter()
    seq, logp, values = seq.clone(), logp.clone(), values[:, :-1].clone()
    mask = torch.zeros(B, T - 1)
    mask[:, PROMPT - 1:] = 1
    kl = (logp - ref_logp.clone()) * mask
    rewards = -0.05 * kl
    rewards[:, -1] += score.clone()
    adv, returns = gae(rewards * mask, values * mask)
    mean, std = adv[mask == 1].mean(), adv[mask == 1].std()
    adv = (adv - mean) / (std + 1e-8) * mask
    for _ in range(EPOCHS):
        order = torch.randperm(B, generator=g)
        for start in range(0, B, MINI):
            rows = order[start:start + MINI]
            new_logp, _, new_values = outputs(policy, value_head, seq[rows])
            new_values = new_values[:, :-1]
            m = mask[rows]
            ratio = (new_logp - logp[rows]).exp()
            pg = torch.max(-adv[rows] * ratio, -adv[rows] * ratio.clamp(0.8, 1.2))
            v_clip = values[rows] + (new_values - values[rows]).clamp(-0.2, 0.2)
            vf = 0.5 * torch.max((new_values - returns[rows]) ** 2, (v_clip - returns[rows]) ** 2)
            loss = (pg * m).sum() / m.sum() + 0.1 * (vf * m).sum() / m.sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(list(policy.parameters()) + list(value_head.parameters()), 1.0)
            optimizer.step()
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, float(entropy.mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    policy, reference, pm = ref.GPT(), ref.GPT(), ref.GPT()
    reference.load_state_dict(policy.state_dict())
    value_head, pm_head = nn.Linear(ref.D_MODEL, 1), nn.Linear(ref.D_MODEL, 1)
    params = list(policy.parameters()) + list(value_head.parameters())
    optimizer = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    iteration(policy, value_head, reference, pm, pm_head, optimizer, g)  # warm-up
    times = [iteration(policy, value_head, reference, pm, pm_head, optimizer, g) for _ in range(args.runs)]
    gen, score, update = (statistics.median(t[i] for t in times) for i in range(3))
    result = {
        "torch_version": torch.__version__,
        "threads": args.threads,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "runs": args.runs,
        "generate_s": gen,
        "score_s": score,
        "update_s": update,
        "generate_tokens_per_s": B * NEW / gen,
        "score_tokens_per_s": 3 * B * T / score,
        "update_tokens_per_s": EPOCHS * B * T / update,
        "iteration_s": gen + score + update,
    }
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump(result, f, indent=2)
        os.replace(args.json + ".tmp", args.json)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
