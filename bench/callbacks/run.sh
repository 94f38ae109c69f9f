#!/usr/bin/env bash
# The callback-delivery benchmark: a bank's outbox dispatcher (ConnectorKit.Server on SQLite) delivering to a platform
# receiver in another process, first ConnectorKit.Client's receiver (SQLite, durable deduplication), then the peer, a
# @grpc/grpc-js receiver that only acknowledges. See bench/callbacks/README.md.
#
#   bench/callbacks/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv [--bin DIR]
#
#   --quick  small counts (5,000-event backlog, 5 s paced): checks every step in about two minutes
#   --bin    run an already built CallbackBench from DIR instead of building bench/callbacks/CallbackBench
#            (for before/after comparisons)
#
# Exits non-zero when the harness fails or an event was lost, handled twice or out of order; a missed target is a
# verdict in the fragment, not a failure. Every process started here is stopped on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh
command_line="bench/callbacks/run.sh${*:+ $*}"

quick=false
out=""
targets=""
bin_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --targets) targets="${2:?--targets needs a file}"; shift ;;
    --bin) bin_dir="${2:?--bin needs a directory}"; shift ;;
    *) echo "usage: bench/callbacks/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv [--bin DIR]" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] && [ -n "$targets" ] || { echo "bench/callbacks/run.sh: --out and --targets are required" >&2; exit 2; }

# Saturation: apps x 5 events (an approval and four tranches). Paced: rate events/s for seconds.
if $quick; then
  apps=1000; rate=2000; seconds=5; drain_timeout=240
else
  apps=20000; rate=2000; seconds=30; drain_timeout=900
fi
bank_timeout=$((drain_timeout + 900)) # seeding and enqueueing come on top of the drain
start_timeout=30

work="$root/artifacts/bench/callbacks"
mkdir -p "$work" "$(dirname "$out")" "$(dirname "$targets")"
say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/callbacks/run.sh: %s\n' "$*" >&2; exit 1; }

receiver_pid=""
data_dir=""
stop_receiver() {
  if [ -n "$receiver_pid" ]; then
    kill -TERM "$receiver_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$receiver_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$receiver_pid" 2>/dev/null || true
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=""
  fi
  if [ -n "$data_dir" ]; then rm -rf "$data_dir"; data_dir=""; fi
}
trap stop_receiver EXIT

if [ -z "$bin_dir" ]; then
  say "building bench/callbacks/CallbackBench (Release)"
  dotnet build bench/callbacks/CallbackBench -c Release -nologo -v q >&2 || die "build failed"
  bin_dir="$root/bench/callbacks/CallbackBench/bin/Release/net10.0"
fi
bench="$bin_dir/CallbackBench"
[ -x "$bench" ] || die "no CallbackBench in $bin_dir"
ensure_npm_tools || die "npm install in tools/ failed"

if [ "$(nproc)" -ge 2 ]; then
  pin_receiver=(taskset -c 0); pin_bank=(taskset -c 1)
  pinning="receiver on core 0, bank on core 1 (taskset)"
else
  pin_receiver=(); pin_bank=()
  pinning="not pinned: fewer than 2 cores"
fi

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# run_one LABEL RECEIVER-COMMAND...: starts the receiver, runs the bank against it, writes $work/LABEL.json.
run_one() {
  local label="$1"; shift
  local port control log
  port="$(free_port)"; control="$(free_port)"
  [ "$port" != "$control" ] || control="$(free_port)"
  data_dir="$(mktemp -d "$work/data.XXXXXX")"
  log="$work/$label-receiver.log"
  say "$label: receiver on :$port (control :$control)"
  env -u DOTNET_gcServer DOTNET_TieredPGO=1 "${pin_receiver[@]}" "$@" --port "$port" --control-port "$control" --data "$data_dir/platform" >"$log" 2>&1 &
  receiver_pid=$!
  for _ in $(seq $((start_timeout * 10))); do
    grep -q '^LISTENING' "$log" && break
    kill -0 "$receiver_pid" 2>/dev/null || die "$label receiver exited: $(tail -5 "$log")"
    sleep 0.1
  done
  grep -q '^LISTENING' "$log" || die "$label receiver did not start in ${start_timeout} s"

  say "$label: bank ($apps applications x 5 events, then $rate/s for $seconds s)"
  env -u DOTNET_gcServer DOTNET_TieredPGO=1 timeout "$bank_timeout" "${pin_bank[@]}" "$bench" bank \
    --platform-port "$port" --platform-control-port "$control" --data "$data_dir/bank" --out "$work/$label.json" \
    --apps "$apps" --rate "$rate" --seconds "$seconds" --drain-timeout "$drain_timeout" --label "$label" \
    2> >(tee "$work/$label-bank.log" >&2) || die "$label bank run failed (see $work/$label-bank.log)"
  stop_receiver
}

rm -f "$work/connectorkit.json" "$work/grpc-js.json"
run_one connectorkit "$bench" platform
run_one grpc-js node bench/callbacks/ack-receiver.js

say "report"
"$bench" report --connectorkit "$work/connectorkit.json" --peer "$work/grpc-js.json" --out "$out" --targets "$targets" \
  --command "$command_line" --pinning "$pinning"
cat "$targets" >&2
