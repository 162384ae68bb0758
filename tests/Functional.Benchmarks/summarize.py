#!/usr/bin/env python3
"""Markdown tables from a side-by-side.sh output directory: ms/step of ours (and baseline) vs NumPy and PyTorch
float64 on 1 and 2 threads (medians), the ratios, bytes/step, and the GEMM GFLOP/s.
An interleaved side-by-side run (ROUNDS=N) leaves one record per round and configuration: the median over the rounds is used.
Usage: python3 tests/Functional.Benchmarks/summarize.py OUTDIR"""
import glob, json, os, re, statistics, sys

out = sys.argv[1]
ours, base = {}, {}
for f in sorted(glob.glob(os.path.join(out, "*.json"))):
    d = json.load(open(f))
    tgt = base if os.path.basename(f).startswith("baseline") else ours
    for w in d["workloads"]:
        tgt.setdefault(w["workload"], []).append(w)
rounds = max((len(v) for v in ours.values()), default=0)
for tgt in (ours, base):
    for k, v in tgt.items():
        tgt[k] = dict(v[-1], ms_per_step_median=statistics.median(x["ms_per_step_median"] for x in v))
peers = {}
for line in open(os.path.join(out, "peers.jsonl")):
    r = json.loads(line)
    if r["workload"] == "W6":
        continue
    name = {"W1": "digits-bn", "W4": "two-layer", "W5": "regression"}.get(r["workload"])
    if r["workload"] == "W3":
        name = "optimizers-" + r["optimizer"]
    peers.setdefault((name, r["impl"], r["threads"]), []).append(r)
for k, v in peers.items():
    peers[k] = dict(v[-1], ms_per_iter=statistics.median(x["ms_per_iter"] for x in v), rounds=len(v),
                    n_used=sum(x.get("n_used", 0) for x in v), runs=[y for x in v for y in x.get("runs", [])])
if rounds > 1:
    print(f"Interleaved run: medians over {rounds} rounds (one repeat per configuration and round).")
    print()
rows = ["digits-bn", "regression", "two-layer"] + sorted(k for k in ours if k.startswith("optimizers-"))
print("| workload | ours ms/step | before ms/step | NumPy 1 thr | NumPy 2 thr | PyTorch 1 thr | PyTorch 2 thr | ours/NumPy (best thr) | ours/PyTorch (best thr) | bytes/step | act+grad bytes | ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for w in rows:
    if w not in ours:
        continue
    o = ours[w]["ms_per_step_median"]
    b = base.get(w, {}).get("ms_per_step_median")
    p = {k: peers.get((w, k[0], k[1]), {}).get("ms_per_iter") for k in [("numpy", 1), ("numpy", 2), ("torch", 1), ("torch", 2)]}
    clean = {k: peers.get((w, k[0], k[1]), {}).get("n_used") for k in p}
    f = lambda v: "–" if v is None else f"{v:.4f}"
    bn = min(v for k, v in p.items() if k[0] == "numpy" and v) if any(p[k] for k in p if k[0] == "numpy") else None
    bt = min(v for k, v in p.items() if k[0] == "torch" and v) if any(p[k] for k in p if k[0] == "torch") else None
    print(f"| {w} | {o:.4f} | {f(b)} | {f(p[('numpy',1)])} | {f(p[('numpy',2)])} | {f(p[('torch',1)])} | {f(p[('torch',2)])} | "
          f"{'–' if not bn else f'{o/bn:.2f}'} | {'–' if not bt else f'{o/bt:.2f}'} | {ours[w]['bytes_per_step']:,} | "
          f"{ours[w]['activation_and_gradient_bytes']:,} | {ours[w]['bytes_ratio']:.2f} |")
print()
print("Peer repeats used (clean runs): " + ", ".join(f"{k[0]} {k[1]} {k[2]}t: {v.get('n_used')}/{len(v.get('runs', []))}" for k, v in sorted(peers.items())))
g = {}
for fn in ("gemm-ours.txt", "gemm-numpy.txt"):
    p = os.path.join(out, fn)
    if not os.path.exists(p):
        continue
    for line in open(p):
        m = re.match(r"W6 (\w+)\s+float64\s+t=(\d)\s+(.*?)\s+([\d.]+) GFLOP/s \(best ([\d.]+)", line)
        if m:
            g.setdefault((m.group(3).strip(), m.group(1), int(m.group(2))), []).append((float(m.group(4)), float(m.group(5))))
# GEMM_ROUNDS > 1: the median over the rounds of each round's median, and the best of all rounds
g_rounds = max((len(v) for v in g.values()), default=0)
g = {k: (statistics.median(x[0] for x in v), max(x[1] for x in v)) for k, v in g.items()}
if g:
    print()
    if g_rounds > 1:
        print(f"GEMM: {g_rounds} interleaved rounds (ours, OpenBLAS 1 thread, OpenBLAS 2 threads); median of the rounds' medians.")
        print()
    print("| GEMM shape (float64) | ours 1 thr | OpenBLAS 1 thr | ours 2 thr | OpenBLAS 2 thr | ours/OpenBLAS 2 thr |")
    print("|---|---|---|---|---|---|")
    for shape in dict.fromkeys(k[0] for k in g):
        v = lambda impl, t: g.get((shape, impl, t))
        s = lambda x: "–" if x is None else f"{x[0]:.1f} (best {x[1]:.1f})"
        r = v("ours", 2), v("numpy", 2)
        print(f"| {shape} | {s(v('ours',1))} | {s(v('numpy',1))} | {s(v('ours',2))} | {s(v('numpy',2))} | "
              f"{'–' if None in r else f'{r[0][0]/r[1][0]:.2f}'} |")
