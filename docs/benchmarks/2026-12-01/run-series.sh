#!/bin/bash
# The series of docs/benchmarks/2026-12-01-kernels.md: per case, the JMH run of scripts/bench-kernels
# (fast, both layouts, the copy bounds), then PyTorch on the same case (../case_peers.py), then JMH
# again; it waits while another JMH holds /tmp/jmh.lock. Run after one build
# (mvn -o -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt
# -Dmdep.includeScope=test), from the checkout's root:
#   docs/benchmarks/2026-12-01/run-series.sh OUTDIR JAVA_HOME case[:float64] ...
#   PASSES=1 (one JMH run per case), PEERS=no (no PyTorch), JMHOPTS="-wi 3 -i 5" (more JMH options)
# Then docs/benchmarks/2026-12-01/table.py OUTDIR [OUTDIR_JAVA17] prints the table.
set -u
OUT=$1; JH=$2; shift 2
mkdir -p "$OUT"
mapfile -t MODULE_OPTS < <(grep -v '^[[:space:]]*$' conf/java-module-options)
CP="target/test-classes:target/classes:$(cat target/test-classpath.txt)"
for spec in "$@"; do
  c=${spec%%:*}; dt=${spec#*:}; [ "$dt" = "$spec" ] && dt=float32
  for pass in ${PASSES:-1 2}; do
    echo "== $spec jmh$pass $(date +%T) $(uptime | sed 's/.*load/load/')" >> "$OUT"/log
    while true; do
      $JH/bin/java "${MODULE_OPTS[@]}" -Xmx4g -cp "$CP" org.sparkpooling.benchmarks.BenchKernels -f 1 \
        -p impl=fast -p kernelCase=$c -p dtype=$dt ${JMHOPTS:-} > "$OUT"/$c-$dt-jmh$pass.txt 2>&1
      grep -q "Unable to acquire the JMH lock" "$OUT"/$c-$dt-jmh$pass.txt || break
      echo "   (another JMH holds /tmp/jmh.lock, waiting) $(date +%T)" >> "$OUT"/log
      sleep 20
    done
    grep "^| $c" "$OUT"/$c-$dt-jmh$pass.txt >> "$OUT"/log
    if [ $pass = 1 ] && [ "${PEERS:-}" != "no" ]; then
      echo "== $spec peers $(date +%T) $(uptime | sed 's/.*load/load/')" >> "$OUT"/log
      pspec=$c; [ $dt = float64 ] && pspec=$c:float64
      /usr/bin/python3 docs/benchmarks/case_peers.py 3 $pspec >> "$OUT"/log 2>&1
    fi
  done
  echo "== $spec done $(date +%T) $(uptime | sed 's/.*load/load/')" >> "$OUT"/log
done
