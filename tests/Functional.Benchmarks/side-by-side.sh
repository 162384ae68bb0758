#!/usr/bin/env bash
# One side-by-side run: for each seed workload, ours (`fnn bench`, and optionally a baseline build of it) and the peers
# (NumPy and PyTorch float64 on 1 and 2 threads, shared/bench/peers/w*.py) one right after the other; then the GEMM
# rates (ours vs NumPy/OpenBLAS, W6 shapes). Every run first waits (up to 90 s) for a quiet machine.
# Run from the repository root:  bash tests/Functional.Benchmarks/side-by-side.sh OUTDIR [W1 W3 W4 W5 W6 W7]
#   BASELINE=/path/to/old/fnn.dll   also time an older build of the CLI (same `bench` command)
#   REPEATS=3                        repeats per configuration (medians are reported)
#   W3_OPTS=sgd,adam                 which optimizers of W3 to run (default: all five)
#   W7 (the chapter-7 convnet) runs only when named
#   TORCHSHARP=1                     also run the TorchSharp peer (peers/torchsharp/run.sh) on 1 and 2 threads, after
#                                    the Python peers of each workload; its JSON lines go to OUTDIR/torchsharp.jsonl
#   ROUNDS=5                         interleave instead: ROUNDS rounds of (ours, peers 1 and 2 threads), one repeat
#                                    each, so every configuration meets the machine's slow spells alike (W1 W3 W4 W5);
#                                    summarize.py then takes the median over the rounds
#   GEMM_ROUNDS=3                    W6 likewise: rounds of (ours, OpenBLAS 1 and 2 threads); the table then shows the
#                                    median over the rounds of each round's median (best: the best of all)
set -u
out=${1:?usage: side-by-side.sh OUTDIR [W1 W3 W4 W5 W6 W7]}; shift
[ $# -gt 0 ] || set -- W1 W5 W4 W3 W6
for w in "$@"; do
  case $w in W1|W3|W4|W5|W6|W7) ;; *) echo "unknown workload $w (W1 W3 W4 W5 W6 W7)" >&2; exit 2;; esac
done
mkdir -p "$out"
# the peers live beside the repository (../shared/bench/peers), or wherever PEERS points
peers=${PEERS:-"$(cd "$(dirname "$0")/../../.." && pwd)/shared/bench/peers"}
[ -d "$peers" ] || { echo "peer benchmarks not found at $peers (set PEERS=DIR)"; exit 2; }
# Debian's python3-numpy alone runs on the reference BLAS (libblas3): about 5x slower on the MLP workloads, no fair comparison
/usr/bin/python3 -c 'import numpy, threadpoolctl, sys
sys.exit(not any(p["internal_api"] == "openblas" for p in threadpoolctl.threadpool_info()))' 2>/dev/null \
  || { echo "NumPy does not load OpenBLAS here (apt-get install libopenblas0-pthread python3-threadpoolctl)"; exit 2; }
REPEATS=${REPEATS:-3}
W3_OPTS=${W3_OPTS:-sgd,momentum,adagrad,adam,rmsprop}
dotnet build Functional.sln -c Release -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
fnn="src/Functional.Cli/bin/Release/net10.0/fnn.dll"
bench="tests/Functional.Benchmarks/bin/Release/net10.0/Functional.Benchmarks.dll"

quiet() { # wait until both CPUs were >= 90% idle for one second (at most 90 s)
  local t0=$SECONDS _ u n s i w x y z
  while :; do
    read -r _ u n s i w x y z _ < /proc/stat; local a1=$((u+n+s+i+w+x+y+z)) i1=$((i+w)); sleep 1
    read -r _ u n s i w x y z _ < /proc/stat; local a2=$((u+n+s+i+w+x+y+z)) i2=$((i+w))
    [ $((100*(i2-i1)/(a2-a1))) -ge 90 ] && return 0
    [ $((SECONDS - t0)) -ge 90 ] && { echo "  (machine still busy after 90 s)" >&2; return 0; }
  done
}
ours() { # name, workloads, dll [file suffix]
  quiet; echo "== $1: $2" >&2
  rm -f "$out/$1-$2${4:-}.json" # bench refuses to replace an existing file; a re-run into OUTDIR replaces its own
  dotnet "$3" bench --workloads "$2" --repeats "$REPEATS" --out "$out/$1-$2${4:-}.json" | tee -a "$out/ours.log" >&2
}
peer() { # script impl threads [extra args]
  local s=$1 impl=$2 t=$3; shift 3
  echo "== $s $impl float64 t=$t $*" >&2
  (cd "$peers" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t \
     /usr/bin/python3 "$s" --impl "$impl" --dtype float64 --threads "$t" --repeats "$REPEATS" --max-extra 2 \
     --out "$out/peers.jsonl" "$@" >/dev/null 2>>"$out/peers.err")
}
one() { # workload [file suffix]: ours (and the baseline), then the peers on 1 and 2 threads, each after a quiet wait
  local script names extra=()
  case $1 in
    W1) script=w1_digits_bn.py; names=digits-bn;;
    W5) script=w5_regression.py; names=regression;;
    W4) script=w4_two_layer.py; names=two-layer;;
    W7) script=w7_convnet.py; names=convnet;; # SimpleConvNet, batch 100, 600 steps (not in the default list: minutes per peer run)
    W3) script=w3_optimizers.py; names="$(echo "$W3_OPTS" | sed 's/\([a-z]*\)/optimizers-\1/g')"; extra=(--only "$W3_OPTS");;
  esac
  ours ours "$names" "$fnn" "${2:-}"; [ -n "${BASELINE:-}" ] && ours baseline "$names" "$BASELINE" "${2:-}"
  for t in 1 2; do quiet; peer $script numpy $t "${extra[@]}"; quiet; peer $script torch $t "${extra[@]}"; done
  if [ -n "${TORCHSHARP:-}" ]; then
    local ts
    case $1 in W3) ts="W3sgd W3adam";; *) ts=$1;; esac
    for t in 1 2; do quiet; echo "== $ts torchsharp float64 t=$t" >&2
      bash "$peers/torchsharp/run.sh" $ts --threads $t --repeats "$REPEATS" >> "$out/torchsharp.jsonl" 2>>"$out/peers.err"; done
  fi
}
gemm() { # W6: our GEMM rates, then NumPy/OpenBLAS on 1 and 2 threads; GEMM_ROUNDS times, interleaved
  rm -f "$out/gemm-ours.txt" "$out/gemm-numpy.txt"
  for round in $(seq "${GEMM_ROUNDS:-1}"); do
    echo "== W6 round $round/${GEMM_ROUNDS:-1}" >&2
    quiet; dotnet "$bench" gemm 1 2 | tee -a "$out/gemm-ours.txt" >&2
    for t in 1 2; do quiet; (cd "$peers" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t \
      /usr/bin/python3 w6_gemm.py --impl numpy --threads $t --out "$out/peers.jsonl" 2>&1 | grep float64 | tee -a "$out/gemm-numpy.txt" >&2); done
  done
}
rounds=${ROUNDS:-1}
[ -n "${ROUNDS:-}" ] && REPEATS=1
for round in $(seq "$rounds"); do
  for w in "$@"; do
    [ "$w" = W6 ] && continue
    if [ -n "${ROUNDS:-}" ]; then echo "== round $round/$rounds $w" >&2; one "$w" "-r$round"; else one "$w"; fi
  done
done
for w in "$@"; do [ "$w" = W6 ] && gemm; done
echo "results in $out (ours: *.json, peers: peers.jsonl)" >&2
