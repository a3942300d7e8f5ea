#!/usr/bin/env bash
# The GPU correctness matrix through norm-run (run on the lent GPU; CI has
# none). Every bundle of build_matrix.sh runs at rows {1, 7, 256, 8192} and
# once more with padded (strided) rows and once with a misaligned input; the
# dynamic-H bundle over every H of the matrix. Each case is checked against the float64 reference twice, with
# the outputs poisoned 0xFF and then 0x55. Usage:
#   test/gpu/run_matrix.sh NORM_RUN BUNDLES OUT [--quick] [--sanitize]
#                          [--only=h4096,hdyn,...] [--no-matrix]
# Logs go to OUT; the summary table is printed last. Exit status 1 on any
# failure.
set -uo pipefail
run=$1 bundles=$2 out=$3
shift 3
quick=0 sanitize=0 only="" matrix=1
for arg in "$@"; do
  case $arg in
  --quick) quick=1 ;;
  --sanitize) sanitize=1 ;;
  --no-matrix) matrix=0 ;;
  --only=*) only=",${arg#--only=}," ;;
  *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
rows=1,7,256,8192
[ $quick = 1 ] && rows=7
dyn_cols=1,7,17,64,100,3000,4095,4096,4097,8192,16384,65535,65536
jobs=$(($(nproc) / 2))
threads=2

commands() {
  # The biggest first, so that they do not run alone at the end.
  for name in $(cd "$bundles" && ls -d h*/ | tr -d / | sort -r -V); do
    bundle=$bundles/$name
    case $only in *",$name,"*|"") ;; *) continue ;; esac
    extra="" r=$rows
    # Kernels for any H run at every H of the matrix; their 8192-row cases
    # repeat what the static bundles check at the same H.
    [ "$name" = hdyn ] && extra="--cols=$dyn_cols" && r=${rows%,8192}
    echo "$run $bundle --rows=$r --threads=$threads $extra > $out/$name.log 2>&1"
    echo "$run $bundle --rows=7,256 --row-pad=8 --threads=$threads --seed=2 $extra > $out/$name-strided.log 2>&1"
    # An input one element off its 16-byte boundary: peeled kernels take
    # their one-element-per-lane path (the others need aligned rows).
    echo "$run $bundle --rows=7,256 --misalign-input --threads=$threads --seed=3 $extra > $out/$name-misaligned.log 2>&1"
  done
}
start=$(date +%s)
# A hung case must not eat the whole lease: each bundle gets a deadline.
[ $matrix = 1 ] && commands | sed 's/^/timeout 900 /' |
  xargs -P "$jobs" -I{} sh -c '{} ; echo "$(date +%s) done: {}" >&2' 2>&1 |
  sed -E "s/^([0-9]+) done: .*> ([^ ]*) 2>.*/\1 \2/" |
  while read -r t log; do echo "  $((t - start)) s: $(basename "$log") $(tail -1 "$log")"; done
echo "matrix: $(($(date +%s) - start)) s"

status=0
printf '\n| bundle | cases | failed | skipped |\n|---|---|---|---|\n'
total=0 failed=0
for log in "$out"/h*.log; do
  line=$(grep -E '^(PASSED|FAILED):' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "| $(basename "$log" .log) | error: $(tail -1 "$log") | | |"
    status=1
    continue
  fi
  read -r cases nfail skipped < <(echo "$line" |
    sed -E 's/.*: ([0-9]+) cases, ([0-9]+) failed, ([0-9]+) skipped/\1 \2 \3/')
  total=$((total + cases)) failed=$((failed + nfail))
  echo "| $(basename "$log" .log) | $cases | $nfail | $skipped |"
  [ "$nfail" != 0 ] && status=1
done
echo "| all | $total | $failed | |"
grep -h '^FAIL' "$out"/*.log | head -20

if [ $sanitize = 1 ]; then
  # Every kernel of two bundles once under memcheck and racecheck.
  for tool in memcheck racecheck; do
    for name in h4095 hdyn; do
      compute-sanitizer --tool $tool --error-exitcode 9 \
        "$run" "$bundles/$name" --rows=7 --cols=100 --poison=0xFF \
        --threads=8 > "$out/sanitize-$tool-$name.log" 2>&1
      rc=$?
      echo "compute-sanitizer $tool $name: exit $rc; $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/sanitize-$tool-$name.log" | tail -1)"
      [ $rc != 0 ] && status=1
    done
  done
fi
exit $status
