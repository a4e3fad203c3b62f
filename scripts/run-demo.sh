#!/usr/bin/env bash
# The README's main command: installs the Debian packages (incl. dataset-fashion-mnist and gnuplot-nox),
# builds ipaq (Release), and runs `ipaq eval` on Fashion-MNIST — 60,000 base images, the first 1,000
# test images as queries, L2 — comparing ipaq codecs with FAISS PQ at matched bytes per vector.
# Prints the recall/QPS table and writes the table, JSON, CSV and the recall–QPS plot to results/.
#   bash scripts/run-demo.sh                 everything
#   IPAQ_DEMO_NQ=200 bash scripts/run-demo.sh   fewer queries (quicker)
# Environment: IPAQ_BUILD_DIR (default build), IPAQ_RESULTS_DIR (default results).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-debian.sh

build=${IPAQ_BUILD_DIR:-build}
results=${IPAQ_RESULTS_DIR:-results}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" --target ipaq_cli -j"$(nproc)"
mkdir -p "$results"

fashion=/usr/share/datasets/fashion-mnist
export OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS=1
# 784 = 98 bytes at 1 bit per dimension. Matched budgets: PQ98x8 (98 B) against the 1-bit codecs,
# PQ196x8 (2 bits/dim) against 2-bit codecs, PQ392x8 (4 bits/dim) against 4-bit codecs; "np" turns off
# FAISS's polysemous training (slow, no effect on ADC recall). Every index trains on the same seeded
# 10k sample (FAISS k-means wants >= 39 points per centroid: 9,984 for 256) to keep the evaluation
# under 5 minutes on 2 cores; RaBitQ1,Rerank4 reranks 40 candidates with the exact vectors.
"$build/tools/ipaq" eval \
  --base "$fashion/train-images-idx3-ubyte.gz" \
  --queries "$fashion/t10k-images-idx3-ubyte.gz" --nq "${IPAQ_DEMO_NQ:-1000}" \
  --metric l2 -k 10 --train-size 10000 \
  --index RaBitQ1 BSQ1x4 IVF256,RaBitQ1 RaBitQ1,Rerank4 TQ2 RaBitQ2 TQ4 \
  --faiss PQ98x8np PQ196x8np PQ392x8np \
  --nprobe 8 \
  --json "$results/fashion-mnist-l2.json" --csv "$results/fashion-mnist-l2.csv" \
  --plot "$results/fashion-mnist-l2.png" | tee "$results/fashion-mnist-l2.txt"
echo "results written to $results/ (table .txt, .json, .csv, recall-QPS plot .png)"
