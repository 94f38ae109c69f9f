#!/usr/bin/env bash
# The client benchmark: the ConnectorKit.Grpc client vs a @grpc/grpc-js client, both calling SubmitApplication on
# the same bare Kestrel server, plus BenchmarkDotNet's allocated bytes per unary call of the ConnectorKit client.
#
#   bench/client/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv
#
#   --quick    every step with small durations (about a minute and a half): checks the harness, measures nothing to quote
#   --out      the markdown fragment (starts with a "## " heading; bench/run.sh adds machine, date and commit)
#   --targets  one line per target: client<TAB>target<TAB>this run<TAB>met|not met
#
# Everything stays on 127.0.0.1; every process started here is stopped on exit, whatever the exit. Exits non-zero
# only when the harness fails: a missed target is a verdict, written to the fragment and the targets file.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh
command_line="bench/client/run.sh${*:+ $*}"

quick=false
out=""
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --targets) targets="${2:?--targets needs a file}"; shift ;;
    *) echo "usage: bench/client/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] && [ -n "$targets" ] || { echo "usage: bench/client/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv" >&2; exit 2; }

# Each measured run: a client process warms up for warmup_s (JIT tiering for .NET, TurboFan for V8), then measures
# measure_s. Repetitions take turns between the two clients; the tables show medians.
if $quick; then
  reps=1; warmup_s=2; measure_s=2; profile_calls=3000; bdn_flag=(--quick)
else
  reps=3; warmup_s=15; measure_s=10; profile_calls=20000; bdn_flag=()
fi
inflight=32          # calls kept in flight on one channel in the throughput shape
run_timeout=$((warmup_s + measure_s + 60))
start_timeout=30
check_timeout=20

work="$root/artifacts/bench/client"
fixtures="$work/fixtures"
server_bin="$root/bench/UnaryServers/bin/Release/net10.0/UnaryServers"
client_bin="$root/bench/client/ClientBench/bin/Release/net10.0/ClientBench"
clk_tck="$(getconf CLK_TCK)"

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/client/run.sh: %s\n' "$*" >&2; exit 1; }

server_pid=""
client_pid=""
stop_all() {
  local pid
  for pid in $client_pid $server_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $client_pid $server_pid; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  client_pid=""; server_pid=""
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  pin_server=(taskset -c 0); pin_client=(taskset -c 1); pinning="bare server on core 0, client on core 1 (taskset)"
else
  pin_server=(); pin_client=(); pinning="none (fewer than 2 cores or no taskset): client CPU includes contention with the server"
fi

cpu_ticks() { awk '{ print $12 + $13 }' <<<"$(cut -d')' -f2- "/proc/$1/stat" 2>/dev/null)"; }
core_ticks() { awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 }' /proc/stat; }
# children_cpu VAR: CPU seconds of this shell's waited-for children so far (the client's, read around one client run).
children_cpu() {
  times >"$work/times.txt"
  printf -v "$1" '%s' "$(awk 'END { n = split($0, f, " "); s = 0; for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] } printf "%.3f", s }' "$work/times.txt")"
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2" | head -n 1; }

# ---------------------------------------------------------------------------------------------------------------
say "prerequisites"
ensure_npm_tools || die "npm install in tools/ failed"
for tool in dotnet node; do command -v "$tool" >/dev/null || die "$tool is missing"; done

say "build (Release)"
timeout 900 dotnet build bench/UnaryServers/UnaryServers.csproj -c Release -nologo -clp:ErrorsOnly >&2 || die "build of bench/UnaryServers failed"
timeout 900 dotnet build bench/client/ClientBench/ClientBench.csproj -c Release -nologo -clp:ErrorsOnly >&2 || die "build of bench/client/ClientBench failed"
[ -x "$server_bin" ] && [ -x "$client_bin" ] || die "missing binaries"

mkdir -p "$work/runs" "$(dirname "$out")" "$(dirname "$targets")"
rm -rf "$work"/runs/*
timeout 60 "$server_bin" --write-fixtures "$fixtures" || die "could not write the fixtures"

for var in $(env | sed -n 's/^\(\(DOTNET\|COMPlus\)_\(gc\|GC\|Tiered\|TC_\|ReadyToRun\|OSR\|JitStress\)[A-Za-z0-9_]*\)=.*/\1/p'); do
  unset "$var"
done
unset NODE_OPTIONS UV_THREADPOOL_SIZE
export DOTNET_TieredPGO=1

say "bare server"
log="$work/runs/bare.log"
"${pin_server[@]}" "$server_bin" --mode bare --port 0 >"$log" 2>&1 &
server_pid=$!
port=""
deadline=$((SECONDS + start_timeout))
while [ -z "$port" ]; do
  port="$(sed -n 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)"
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; die "the bare server exited before it listened"; }
  [ $SECONDS -lt $deadline ] || die "the bare server did not print LISTENING within ${start_timeout}s"
  sleep 0.1
done
grpc_check() {
  timeout "$check_timeout" node bench/grpc-js-server/check.js --port "$port" --fixtures "$fixtures" >&2 \
    || die "check.js: the bare server did not answer with OK and the expected response"
}
grpc_check

# run_client NAME CONCURRENCY FILE: one warm-up + measured phase; the RESULT line goes to FILE.
run_client() {
  local name="$1" concurrency="$2" file="$3"
  case "$name" in
    connectorkit) "${pin_client[@]}" "$client_bin" load --port "$port" --concurrency "$concurrency" --warmup-s "$warmup_s" --measure-s "$measure_s" >"$file" 2>&1 & ;;
    grpc-js) "${pin_client[@]}" node bench/client/grpc-js-client/client.js --port "$port" --concurrency "$concurrency" --warmup-s "$warmup_s" --measure-s "$measure_s" --fixtures "$fixtures" >"$file" 2>&1 & ;;
  esac
  client_pid=$!
  local waited=0
  while kill -0 "$client_pid" 2>/dev/null && [ $waited -lt $((run_timeout * 10)) ]; do
    sleep 0.1; waited=$((waited + 1))
  done
  if kill -0 "$client_pid" 2>/dev/null; then
    stop_all; die "$name did not finish within ${run_timeout}s (see $file)"
  fi
  wait "$client_pid" || { client_pid=""; cat "$file" >&2; die "$name client failed (see $file)"; }
  client_pid=""
  grep -q '^RESULT ' "$file" || die "no RESULT line in $file"
}

clients=(connectorkit grpc-js)
shapes=(inflight single)
declare -A shape_concurrency=([inflight]=$inflight [single]=1)
declare -A samples result
raw_rows=""
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

for shape in "${shapes[@]}"; do
  say "measure: $shape"
  for rep in $(seq "$reps"); do
    for client in "${clients[@]}"; do
      file="$work/runs/$client-$shape-$rep.txt"
      children_cpu c0; k0="$(core_ticks 1)"; t0="$(date +%s.%N)"
      run_client "$client" "${shape_concurrency[$shape]}" "$file"
      children_cpu c1; k1="$(core_ticks 1)"; t1="$(date +%s.%N)"
      grpc_check
      line="$(grep '^RESULT ' "$file")"
      calls="$(field calls "$line")" failed="$(field failed "$line")" wall="$(field wall_s "$line")" cpu="$(field cpu_s "$line")"
      [ "${failed:-1}" = 0 ] || die "$client: $failed calls failed or answered wrongly (see $file)"
      # Other processes' share of core 1: its busy time over the whole client run (start-up and warm-up included)
      # less the client process's own CPU time over that run.
      read -r per_cpu rate busy other1 < <(awk -v n="$calls" -v w="$wall" -v c="$cpu" -v hz="$clk_tck" -v k=$((k1 - k0)) \
        -v own="$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" -v t0="$t0" -v t1="$t1" 'BEGIN {
          o = 100 * (k / hz - own) / (t1 - t0); if (o < 0) o = 0;
          printf "%.0f %.0f %.0f %.0f\n", n / c, n / w, 100 * c / w, o }')
      for metric in per_cpu:"$per_cpu" rate:"$rate" busy:"$busy" other1:"$other1"; do
        samples[$client,$shape,${metric%%:*}]+="${metric#*:} "
      done
      printf '%s %s #%s: %s calls in %s s, %s client CPU s: %s calls per client CPU-second, %s calls/s, client core %s %% busy, other processes ~%s %% of core 1\n' \
        "$client" "$shape" "$rep" "$calls" "$wall" "$cpu" "$per_cpu" "$rate" "$busy" "$other1" >&2
      raw_rows+="| $client | $shape | $rep | $calls | $wall | $cpu | $per_cpu | $rate | $busy % | $other1 % |"$'\n'
    done
  done
  for client in "${clients[@]}"; do
    for metric in per_cpu rate busy other1; do
      result[$client,$shape,$metric]="$(tr ' ' '\n' <<<"${samples[$client,$shape,$metric]}" | grep . | median)"
    done
  done
done

say "allocations: exact bytes per call and samples by type"
"${pin_client[@]}" timeout 300 "$client_bin" profile --port "$port" --calls "$profile_calls" >"$work/runs/profile.txt" 2>&1 \
  || { cat "$work/runs/profile.txt" >&2; die "the allocation profile failed"; }
profile_line="$(grep '^PROFILE ' "$work/runs/profile.txt")" || die "no PROFILE line"
exact_per_call="$(field bytes_per_call "$profile_line")"
exact_messages="$(field message_bytes "$profile_line")"
transport_floor="$(field transport_floor "$profile_line")"

say "allocations: BenchmarkDotNet (MemoryDiagnoser)"
"${pin_client[@]}" timeout 600 "$client_bin" alloc --port "$port" "${bdn_flag[@]}" --artifacts "$work/bdn" >"$work/runs/bdn.txt" 2>&1 \
  || { tail -n 40 "$work/runs/bdn.txt" >&2; die "BenchmarkDotNet failed (see $work/runs/bdn.txt)"; }
bdn_call="$(field allocated_bytes "$(grep '^BDN method=UnaryCall ' "$work/runs/bdn.txt")")"
bdn_parse="$(field allocated_bytes "$(grep '^BDN method=ParseResponse ' "$work/runs/bdn.txt")")"
[ -n "$bdn_call" ] && [ -n "$bdn_parse" ] || die "no BDN lines in $work/runs/bdn.txt"
bdn_beyond=$((bdn_call - bdn_parse))
grpc_check
stop_all
load_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
say "report: $out, $targets"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v a="$1" -v b="$2" -v op="$3" -v lim="$4" 'BEGIN { v = a / b; ok = (op == "<=") ? v <= lim : v >= lim; print ok ? "met" : "not met" }'; }
busiest="$(for key in "${!result[@]}"; do case "$key" in *,other1) echo "${result[$key]}" ;; esac; done | sort -g | tail -n 1)"

declare -A shape_title=([inflight]="one channel, $inflight calls in flight" [single]="one channel, one call at a time")
target_rows=""
: >"$targets"
for shape in "${shapes[@]}"; do
  a="${result[connectorkit,$shape,per_cpu]}" b="${result[grpc-js,$shape,per_cpu]}"
  v="$(verdict "$a" "$b" ">=" 2)"
  text="calls per client CPU-second ≥ 2 × grpc-js (${shape_title[$shape]})"
  target_rows+="| $text | $(ratio "$a" "$b") × | **$v** |"$'\n'
  printf 'client\t%s\t%s ×\t%s\n' "$text" "$(ratio "$a" "$b")" "$v" >>"$targets"
done
v="$(awk -v b="$bdn_beyond" 'BEGIN { print (b <= 2048) ? "met" : "not met" }')"
text="allocations per unary call ≤ 2 KB beyond the messages (BenchmarkDotNet MemoryDiagnoser)"
target_rows+="| $text | $bdn_beyond B | **$v** |"$'\n'
printf 'client\t%s\t%s B\t%s\n' "$text" "$bdn_beyond" "$v" >>"$targets"

{
  echo "## Client cost: ConnectorKit.Grpc client vs @grpc/grpc-js client"
  echo
  $quick && { echo "> **--quick run**: short phases, one repetition. Not figures to quote."; echo; }
  if awk -v b="${busiest:-0}" 'BEGIN { exit !(b > 5) }'; then
    echo "> **Shared machine**: other processes used up to ${busiest} % of the client's core (median of a cell) while this ran."
    echo
  fi
  echo "| | |"
  echo "|---|---|"
  echo "| command | \`$command_line\` |"
  echo "| measured | SubmitApplication (request 408 bytes, response 144 bytes, the fixtures of bench/UnaryServers/LoanFixtures.cs) from a ConnectorKit.Grpc \`GrpcChannel\` + generated client, and from a @grpc/grpc-js client with @grpc/proto-loader stubs, against the same bare Kestrel server (\`bench/UnaryServers --mode bare\`) |"
  echo "| figure | calls that ended OK with the expected response, divided by the client process's own CPU time (user + system, all threads) over the measured phase |"
  echo "| pinning | $pinning |"
  echo "| shapes | $inflight calls kept in flight on one channel; one call at a time on one channel |"
  echo "| phases | ${warmup_s} s warm-up then ${measure_s} s measured, per run; $reps run(s) per cell taking turns between the clients, median shown |"
  echo "| allocations | BenchmarkDotNet 0.14 MemoryDiagnoser, in-process toolchain, bounded job (${bdn_flag[*]:-full}); exact cross-check with \`GC.GetTotalAllocatedBytes(precise)\` over $profile_calls sequential calls |"
  echo "| noise | load average $load_at_start at the start, $load_at_end at the end; other processes on the client's core: see the table |"
  for shape in "${shapes[@]}"; do
    echo
    echo "### ${shape_title[$shape]^}"
    echo
    echo "| | ConnectorKit | grpc-js | ConnectorKit / grpc-js |"
    echo "|---|---:|---:|---:|"
    echo "| calls per client CPU-second | ${result[connectorkit,$shape,per_cpu]} | ${result[grpc-js,$shape,per_cpu]} | $(ratio "${result[connectorkit,$shape,per_cpu]}" "${result[grpc-js,$shape,per_cpu]}") |"
    echo "| calls/s | ${result[connectorkit,$shape,rate]} | ${result[grpc-js,$shape,rate]} | $(ratio "${result[connectorkit,$shape,rate]}" "${result[grpc-js,$shape,rate]}") |"
    echo "| client core busy | ${result[connectorkit,$shape,busy]} % | ${result[grpc-js,$shape,busy]} % | |"
    echo "| other processes on the client's core | ${result[connectorkit,$shape,other1]} % | ${result[grpc-js,$shape,other1]} % | |"
  done
  echo
  echo "### Allocations per unary call (ConnectorKit client)"
  echo
  echo "| | BenchmarkDotNet | exact, sequential calls |"
  echo "|---|---:|---:|"
  echo "| one SubmitApplication call | $bdn_call B | $exact_per_call B |"
  echo "| the messages alone (parse of the 144-byte response) | $bdn_parse B | $exact_messages B |"
  echo "| beyond the messages | $bdn_beyond B | $(awk -v a="$exact_per_call" -v b="$exact_messages" 'BEGIN { printf "%.0f", a - b }') B |"
  echo "| SocketsHttpHandler alone (plain HttpMessageInvoker, same exchange, no gRPC, no protobuf) | | $transport_floor B |"
  echo
  echo "### Targets"
  echo
  echo "| target | this run | verdict |"
  echo "|---|---:|---|"
  printf '%s' "$target_rows"
  echo
  echo "### How to read this"
  echo
  echo "- **Calls per client CPU-second** is the figure the target is on: how much work one client core does per call, whatever the"
  echo "  server's speed. Both clients call the same bare server, which does no gRPC or protobuf work, so the server is rarely the limit."
  echo "- **Calls/s** also depends on latency (one call at a time) and on the server's core; read it with *client core busy*: a client"
  echo "  below ~100 % busy waited on the server or the network."
  echo "- **Beyond the messages** is BenchmarkDotNet's bytes per call less its bytes per parse of the response (the request is built once"
  echo "  and serialized into pooled buffers, so parsing the response is all a call must allocate for its messages)."
  echo "- **SocketsHttpHandler alone** is the floor of this design: what .NET's HTTP/2 client allocates for the same request and"
  echo "  response with no gRPC runtime at all. The allocation target is below that floor; see bench/client/README.md."
  echo "- BenchmarkDotNet's bytes per call include its own awaiting of the benchmark's task (~170 B more than the exact count)."
  echo "- On a shared machine, a one-threaded client (Node's event loop) gets a smaller share of its core than a client with several"
  echo "  runnable threads (.NET's thread pool) when other processes want that core too: grpc-js's calls/s suffers most (see *other"
  echo "  processes*); CPU per call holds up better. Figures from a --quick run or a run flagged *shared machine* are not to be"
  echo "  quoted; ratios within one run hold up best."
  echo
  echo "<details><summary>Every run</summary>"
  echo
  echo "| client | shape | run | calls | measured s | client CPU s | calls per CPU-s | calls/s | client core busy | other processes, core 1 |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$raw_rows"
  echo
  echo "Allocation samples by type (GCAllocationTick, one sample per ~100 KB):"
  echo
  echo '```'
  sed -n '/^Allocation samples/,/^PROFILE/p' "$work/runs/profile.txt" | grep -v '^PROFILE' | head -n 25
  echo '```'
  echo
  echo "</details>"
} >"$out"
echo "wrote $out and $targets" >&2
