#!/usr/bin/env python3
"""saerl/tests/bench_torch.py -- the PyTorch peer of tests/bench.cpp: the same work, timed the
same way (median of repetitions after a warm-up), at 1 and 2 threads (torch's and OpenBLAS's).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 tests/bench_torch.py
    python3 tests/bench_torch.py --compare SAERL_JSON TORCH_JSON   # the ratios against the targets

Prints a few lines, then one JSON line starting with {"bench": for scripts (make bench-peer
reads it beside saerl's). What each figure computes, as saerl does:
  dqn_paper        one Double DQN update, 75-512-512-24, batch 32: online forward on s, online
                   and target forward on s' (no grad), a* = argmax_a Q_online(s', a),
                   y = r + gamma (1 - done) Q_target(s', a*),
                   Huber loss on Q(s, a), backward, Adam (lr 5e-4)
  inference_paper  one position: the 75-512-512-24 forward, then the SAE (512 -> 2048) encode
                   and decode of the second hidden layer's pre-activation, no grad
  sae_512x2048_b2048       relu SAE step, batch 2048: encoder, relu, decoder, MSE + L1,
                           backward, Adam (lr 1e-3), decoder rows renormalised
  sae_topk_512x2048_b2048  TopK (k 50) step: dense encoder, topk, scatter, dense decoder,
                           MSE, backward, Adam, renormalisation
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def per_call_counted(fn, warm, reps, calls):
    """Seconds per call: warm calls, then the median over reps repetitions of `calls` calls
    (counts fixed in advance: an SAE step's cost changes as it trains)."""
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        s = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - s) / calls)
    return statistics.median(times)


def per_call(fn, reps=5, rep_seconds=0.3, warm_seconds=0.1):
    """The same after warming up for warm_seconds, which sets the calls per repetition."""
    t0 = time.perf_counter()
    warm = 0
    while time.perf_counter() - t0 < warm_seconds:
        fn()
        warm += 1
    one = (time.perf_counter() - t0) / max(warm, 1)
    return per_call_counted(fn, 0, reps, max(1, int(rep_seconds / one)))


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def one_hot_positions(n):
    """n observations of 75 inputs with three ones (three pieces on a 5x5 board)."""
    x = torch.zeros(n, 75)
    for plane in range(3):
        x[torch.arange(n), plane * 25 + torch.randint(0, 25, (n,))] = 1.0
    return x


def bench_dqn_paper():
    torch.manual_seed(1)
    online, target = mlp([75, 512, 512, 24]), mlp([75, 512, 512, 24])
    target.load_state_dict(online.state_dict())
    opt = torch.optim.Adam(online.parameters(), lr=5e-4)
    batch = 32
    s, s2 = one_hot_positions(batch), one_hot_positions(batch)
    a = torch.randint(0, 24, (batch,))
    r = torch.randn(batch) * 0.01
    done = (torch.rand(batch) < 0.1).float()

    def update():
        with torch.no_grad():  # Double DQN, as saerl's recipe: the online network picks a*
            a_star = online(s2).argmax(dim=1, keepdim=True)
            y = r + 0.98 * (1 - done) * target(s2).gather(1, a_star).squeeze(1)
        q = online(s).gather(1, a[:, None]).squeeze(1)
        loss = F.smooth_l1_loss(q, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(online.parameters(), 10.0)
        opt.step()
        return loss

    return 1.0 / per_call(update, reps=5, rep_seconds=0.4)


def bench_inference_paper():
    torch.manual_seed(3)
    net = mlp([75, 512, 512, 24])
    w_enc, b_enc = torch.randn(512, 2048) * 0.02, torch.zeros(2048)
    w_dec, b_dec = torch.randn(2048, 512) * 0.02, torch.zeros(512)
    obs = one_hot_positions(256)
    state = {"i": 0}

    def infer():
        with torch.no_grad():
            x = obs[state["i"]:state["i"] + 1]
            z1 = net[2](net[1](net[0](x)))  # the second hidden layer's pre-activation
            q = net[4](net[3](z1))
            f = torch.relu((z1 - b_dec) @ w_enc + b_enc)
            x_hat = f @ w_dec + b_dec
            state["i"] = (state["i"] + 1) % 256
            return q, x_hat

    for _ in range(500):  # latency of single calls, median, as saerl's bench times it
        infer()
    times = []
    for _ in range(5000):
        s = time.perf_counter()
        infer()
        times.append(time.perf_counter() - s)
    return statistics.median(times) * 1e6


class Sae(torch.nn.Module):
    def __init__(self, d, m):
        super().__init__()
        w_dec = torch.randn(m, d)
        w_dec /= w_dec.norm(dim=1, keepdim=True)
        self.w_dec = torch.nn.Parameter(w_dec)
        self.w_enc = torch.nn.Parameter(w_dec.t().clone())
        self.b_enc = torch.nn.Parameter(torch.zeros(m))
        self.b_dec = torch.nn.Parameter(torch.zeros(d))


def bench_sae(topk):
    torch.manual_seed(2)
    d, m, batch, k = 512, 2048, 2048, 50
    sae = Sae(d, m)
    opt = torch.optim.Adam(sae.parameters(), lr=1e-3)
    x = 0.5 * torch.randn(batch, d)

    def step():
        z = (x - sae.b_dec) @ sae.w_enc + sae.b_enc
        if topk:
            values, idx = torch.topk(z, k, dim=1)
            f = torch.zeros_like(z).scatter(1, idx, torch.relu(values))
        else:
            f = torch.relu(z)
        x_hat = f @ sae.w_dec + sae.b_dec
        loss = F.mse_loss(x_hat, x)
        if not topk:
            loss = loss + 1e-3 * f.sum(dim=1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        with torch.no_grad():  # the gradient's part along each decoder row out, then unit rows
            g = sae.w_dec.grad
            g -= (g * sae.w_dec).sum(dim=1, keepdim=True) * sae.w_dec
        opt.step()
        with torch.no_grad():
            sae.w_dec /= sae.w_dec.norm(dim=1, keepdim=True)
        return loss

    sec = per_call_counted(step, warm=1, reps=3, calls=1)
    return batch / sec


def figures():
    return {
        "dqn_paper": {"updates_per_s": round(bench_dqn_paper(), 1)},
        "inference_us": {"paper": round(bench_inference_paper(), 3)},
        "sae_512x2048_b2048": {"samples_per_s": round(bench_sae(False), 1)},
        "sae_topk_512x2048_b2048": {"samples_per_s": round(bench_sae(True), 1), "k": 50},
    }


def openblas():
    """The OpenBLAS library this process has loaded (through torch), or None. Read from
    /proc/self/maps first: Debian's torch reaches OpenBLAS through libblas.so.3 of the
    openblas-pthread alternative, whose thread count is the one that matters."""
    import ctypes
    import glob
    paths = []
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "openblas" in line and ".so" in line})
    except OSError:
        pass
    for path in paths + glob.glob("/usr/lib/*/libopenblas*.so*") + glob.glob("/usr/lib/*/openblas*/libblas.so*"):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_set_num_threads  # (an AttributeError when absent)
            return lib, path
        except (OSError, AttributeError):
            continue
    return None, None


def set_threads(n):
    """torch.set_num_threads(n) sets torch's own pool; OpenBLAS keeps its own threads (all the
    cores unless OPENBLAS_NUM_THREADS says otherwise), so its count is set too: without it the
    "1 thread" products ran on both cores of the machine (cpu/wall 1.99 for a 2048 x 512 x 2048
    product)."""
    torch.set_num_threads(n)
    lib, _ = openblas()
    if lib is not None:
        lib.openblas_set_num_threads(n)


def blas_kernel():
    """The BLAS and its core type as this process sees them."""
    info = {"config": torch.__config__.show().strip().splitlines()}
    lib, path = openblas()
    if lib is not None:
        info["openblas_corename"] = lib.openblas_get_corename().decode()
        info["openblas_config"] = lib.openblas_get_config().decode()
        info["openblas_library"] = path
    return info


# (name, how to get it from saerl's JSON s and the peer's JSON p, target)
TARGETS = [
    ("1 thread: TopK SAE step, saerl / torch", lambda s, p: s["sae_topk_512x2048_b2048"]["samples_per_s"]
     / p["sae_topk_512x2048_b2048"]["samples_per_s"], 3.0),
    ("1 thread: dense SAE step, saerl / torch", lambda s, p: s["sae_512x2048_b2048"]["samples_per_s"]
     / p["sae_512x2048_b2048"]["samples_per_s"], 1.3),
    ("1 thread: paper DQN updates, saerl / torch", lambda s, p: s["dqn_paper"]["updates_per_s"]
     / p["dqn_paper"]["updates_per_s"], 3.0),
    ("1 thread: paper inference, torch us / saerl us", lambda s, p: p["inference_us"]["paper"]
     / s["inference_us"]["paper"], 3.0),
    ("2 threads: dense SAE step, saerl 2 / saerl 1", lambda s, p: s["threads2"]["sae_512x2048_b2048"]["samples_per_s"]
     / s["sae_512x2048_b2048"]["samples_per_s"], 1.6),
    ("2 threads: paper DQN updates, saerl 2 / saerl 1", lambda s, p: s["threads2"]["dqn_paper"]["updates_per_s"]
     / s["dqn_paper"]["updates_per_s"], 1.3),
    ("2 threads: TopK SAE step, saerl / torch", lambda s, p: s["threads2"]["sae_topk_512x2048_b2048"]["samples_per_s"]
     / p["threads2"]["sae_topk_512x2048_b2048"]["samples_per_s"], 3.0),
    ("dqn_default.frac_peak", lambda s, p: s["dqn_default"]["frac_peak"], 0.40),
]


def compare(saerl_path, torch_path):
    """Prints each figure against its target; returns the number of targets missed."""
    def last_json(path):
        with open(path) as f:
            return json.loads([line for line in f if line.startswith("{")][-1])
    s, p = last_json(saerl_path), last_json(torch_path)
    missed = 0
    for name, value, target in TARGETS:
        v = value(s, p)
        met = v >= target
        missed += not met
        print("%-50s %7.2f   target >= %.2f   %s" % (name, v, target, "met" if met else "NOT MET"))
    print("peer BLAS core: %s" % p.get("openblas_corename", "unknown"))
    return missed


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
        return
    out = {"bench": "torch", "torch": torch.__version__,
           "env": {v: os.environ.get(v) for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")}}
    out.update(blas_kernel())
    set_threads(1)
    one = figures()
    set_threads(2)
    out["threads2"] = figures()
    out.update(one)
    print("torch %s, BLAS core: %s" % (torch.__version__, out.get("openblas_corename", "unknown")))
    for name, threads in (("1 thread", one), ("2 threads", out["threads2"])):
        print(name, json.dumps(threads))
    config = out.pop("config")
    out["blas"] = [line.strip() for line in config if "BLAS" in line or "LAPACK" in line or "CPU capability" in line]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
