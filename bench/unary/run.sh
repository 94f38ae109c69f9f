#!/usr/bin/env bash
# The unary benchmark: SubmitApplication on ConnectorKit.Grpc, on @grpc/grpc-js and on a bare Kestrel floor,
# driven by h2load over h2c on 127.0.0.1. Writes one section of docs/benchmarks.md; bench/run.sh runs it with the
# other areas and assembles the report.
#
#   bench/unary/run.sh [--quick] [--reps N] [--out FRAGMENT.md] [--targets TARGETS.tsv]
#
#   --quick      small call counts, one repetition: checks that everything works, measures nothing worth quoting
#   --reps N     repetitions of each measurement (default 3; the tables show the median)
#   --out F      the markdown section (default artifacts/bench/unary.md)
#   --targets T  one line per target of the performance issue: area, target, this run, met | not met
#
# Everything stays on 127.0.0.1. Every load run is bounded in calls (h2load -n) and in time (timeout), and every
# server started here is stopped on exit, whatever the exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh
quick_arg=""

quick=false
reps=3
out=""
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; reps=1; quick_arg=" --quick" ;;
    --reps) reps="${2:?--reps needs a number}"; shift ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --targets) targets="${2:?--targets needs a file}"; shift ;;
    *) echo "usage: bench/unary/run.sh [--quick] [--reps N] [--out FRAGMENT.md] [--targets TARGETS.tsv]" >&2; exit 2 ;;
  esac
  shift
done

# Calls per measured run. Latency-bound runs are slower per call, so they need fewer calls for the same
# duration; each count gives every server at least about 5 s on the reference machine.
# Warm-up: rounds of warmup_round_calls at the throughput shape until the server has settled (see warm_up), for
# at least warmup_min_s and at most warmup_max_s seconds, then latency_warmup_calls at the latency shape.
if $quick; then
  latency_calls=3000; throughput_calls=20000
  warmup_round_calls=5000; warmup_min_s=0; warmup_max_s=10; latency_warmup_calls=1000
else
  latency_calls=60000; throughput_calls=500000
  warmup_round_calls=100000; warmup_min_s=40; warmup_max_s=240; latency_warmup_calls=20000
fi
out="${out:-artifacts/bench/unary.md}"
targets="${targets:-artifacts/bench/unary-targets.tsv}"
run_timeout=600   # seconds, per h2load run; a run that needs longer fails the benchmark
start_timeout=30  # seconds for a server to print LISTENING
check_timeout=20  # seconds for one check.js call

work="$root/artifacts/bench/unary"
fixtures="$work/fixtures"
server_bin="$root/bench/UnaryServers/bin/Release/net10.0/UnaryServers"
url_path="/connectorkit.v1.LoanApplicationsService/SubmitApplication"
clk_tck="$(getconf CLK_TCK)"

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/unary/run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Servers: all three run side by side (idle while another is measured) and are always stopped on exit.

declare -A pid_of port_of log_of
server_pid=""
server_port=""
stop_servers() {
  local pid
  for pid in "${pid_of[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pid_of[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pid_of=()
}
trap stop_servers EXIT
trap 'stop_servers; exit 130' INT TERM

# Server on core 0, load generator on core 1, so neither steals the other's cycles. With fewer than 2 cores
# nothing is pinned and the report says so.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  pin_server=(taskset -c 0); pin_client=(taskset -c 1); pinning="server on core 0, h2load on core 1 (taskset)"
else
  pin_server=(); pin_client=(); pinning="none (fewer than 2 cores or no taskset): figures are not comparable to pinned runs"
fi

# start_server NAME CMD...: runs CMD pinned (exec'd, so $! is the server itself), waits for "LISTENING <port>".
start_server() {
  local name="$1" log="$work/runs/$1.log" pid port=""
  shift
  : >"$log"
  "${pin_server[@]}" "$@" >>"$log" 2>&1 &
  pid=$!
  pid_of[$name]=$pid
  log_of[$name]=$log
  local deadline=$((SECONDS + start_timeout))
  while [ $SECONDS -lt $deadline ]; do
    port="$(sed -n 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$log" | head -n 1)"
    if [ -n "$port" ]; then
      port_of[$name]=$port
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "$name exited before it listened"; }
    sleep 0.1
  done
  cat "$log" >&2
  die "$name did not print LISTENING within ${start_timeout}s"
}

# CPU ticks of the benchmark's servers other than the one measured: they idle, but count as ours, not as "other".
idle_servers_ticks() {
  local name total=0
  for name in "${!pid_of[@]}"; do
    [ "${pid_of[$name]}" = "$server_pid" ] || total=$((total + $(cpu_ticks "${pid_of[$name]}")))
  done
  echo "$total"
}

# use_server NAME: the server the next h2load run, check and CPU reading are about.
use_server() {
  server_pid="${pid_of[$1]}"
  server_port="${port_of[$1]}"
  kill -0 "$server_pid" 2>/dev/null || { cat "${log_of[$1]}" >&2; die "$1 is no longer running"; }
}

# core_ticks N: busy ticks of core N so far (user + nice + system; interrupts and steal apart).
core_ticks() { awk -v c="cpu$1" '$1 == c { print $2 + $3 + $4 }' /proc/stat; }
# steal_ticks N: ticks the hypervisor gave core N's time to someone else.
steal_ticks() { awk -v c="cpu$1" '$1 == c { print $9 }' /proc/stat; }

# Server CPU time so far (user + system, all threads), in clock ticks.
cpu_ticks() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || die "server process $1 is gone"
  # Fields after the command name (which may hold spaces): utime is the 14th field overall, stime the 15th.
  awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

# h2load against the running server; prints h2load's output to FILE and fails unless every call got a 2xx.
h2load_run() {
  local calls="$1" clients="$2" streams="$3" file="$4"
  timeout "$run_timeout" "${pin_client[@]}" h2load -n "$calls" -c "$clients" -m "$streams" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$fixtures/submit-application-request.grpc" \
    "http://127.0.0.1:${server_port}${url_path}" >"$file" 2>&1 \
    || { tail -n 20 "$file" >&2; die "h2load failed or exceeded ${run_timeout}s (see $file)"; }
  local succeeded ok2xx
  succeeded="$(sed -n 's/^requests: .* \([0-9][0-9]*\) succeeded.*/\1/p' "$file")"
  ok2xx="$(sed -n 's/^status codes: \([0-9][0-9]*\) 2xx.*/\1/p' "$file")"
  if [ "${succeeded:-0}" != "$calls" ] || [ "${ok2xx:-0}" != "$calls" ]; then
    grep -E '^(requests|status codes):' "$file" >&2 || true
    die "h2load: not every one of $calls calls succeeded with HTTP 2xx (see $file)"
  fi
}

# h2load sees HTTP 200 only; one real gRPC call proves the server still answers grpc-status 0 and the right bytes.
grpc_check() {
  timeout "$check_timeout" node bench/grpc-js-server/check.js --port "$server_port" --fixtures "$fixtures" >&2 \
    || die "check.js: the server on port $server_port did not answer SubmitApplication with OK and the expected response"
}

# Methods the .NET server's JIT has compiled so far (every tier): it prints a "JIT methods=N" line on SIGUSR1.
jit_methods() {
  local log="$1" lines
  lines="$(grep -c '^JIT ' "$log" || true)"
  kill -USR1 "$server_pid"
  for _ in $(seq 50); do
    [ "$(grep -c '^JIT ' "$log" || true)" -gt "$lines" ] && break
    sleep 0.1
  done
  grep '^JIT ' "$log" | tail -n 1 | sed -n 's/.*methods=\([0-9]*\).*/\1/p'
}

# warm_up SERVER: JIT-compiled runtimes start slow and reach their steady state only after their hot code is
# recompiled optimised (.NET's tiered compilation, V8's TurboFan). On one busy core .NET takes tens of seconds
# to get there, so a fixed small warm-up would measure start-up instead. Rounds at the throughput shape go on
# until the last three rounds' CPU per call lie within 10 % of each other and, for .NET, the JIT compiled at most
# 20 methods during them. Sets warmup_summary.
warm_up() {
  local server="$1" log="${log_of[$1]}" start=$SECONDS round=0 cpu_hist=() jit_hist=() before after
  local is_dotnet=false
  [ "$server" = grpc-js ] || is_dotnet=true
  $is_dotnet && jit_hist+=("$(jit_methods "$log")")
  while :; do
    round=$((round + 1))
    before="$(cpu_ticks "$server_pid")"
    h2load_run "$warmup_round_calls" 8 16 "$work/runs/$server-warmup-$round.txt"
    after="$(cpu_ticks "$server_pid")"
    cpu_hist+=("$(awk -v d=$((after - before)) -v hz="$clk_tck" -v n="$warmup_round_calls" 'BEGIN { printf "%.2f", d / hz * 1e6 / n }')")
    $is_dotnet && jit_hist+=("$(jit_methods "$log")")
    printf '%s warm-up round %s: %s µs server CPU per call%s\n' "$server" "$round" "${cpu_hist[-1]}" \
      "$($is_dotnet && printf ', %s methods JIT-compiled so far' "${jit_hist[-1]}")" >&2

    local settled=false n=${#cpu_hist[@]}
    if [ "$n" -ge 3 ]; then
      settled="$(awk -v a="${cpu_hist[n-1]}" -v b="${cpu_hist[n-2]}" -v c="${cpu_hist[n-3]}" 'BEGIN {
        lo = a; hi = a; if (b < lo) lo = b; if (c < lo) lo = c; if (b > hi) hi = b; if (c > hi) hi = c;
        print (hi <= lo * 1.10) ? "true" : "false" }')"
      if $settled && $is_dotnet && [ $((jit_hist[-1] - jit_hist[-4])) -gt 20 ]; then
        settled=false
      fi
    fi
    if [ $((SECONDS - start)) -ge "$warmup_min_s" ] && $settled; then
      warmup_summary="settled after $round rounds, $((SECONDS - start)) s (CPU µs/call by round: ${cpu_hist[*]})"
      break
    fi
    if [ $((SECONDS - start)) -ge "$warmup_max_s" ]; then
      warmup_summary="**not settled** after $round rounds, $((SECONDS - start)) s, the limit (CPU µs/call by round: ${cpu_hist[*]})"
      break
    fi
  done
  h2load_run "$latency_warmup_calls" 1 1 "$work/runs/$server-warmup-latency.txt"
}

# Mean "time for request" from h2load, in µs.
mean_latency_us() {
  awk '/^time for request:/ {
    v = $6; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
    f = (unit == "us") ? 1 : (unit == "ms") ? 1000 : (unit == "s") ? 1000000 : -1;
    printf "%.0f", v * f }' "$1"
}

# children_cpu VAR: sets VAR to the CPU seconds of this shell's finished children so far (h2load's, when read
# around one h2load run). `times` must run in this shell, not in a $(…) subshell, which has no children yet.
children_cpu() {
  times >"$work/times.txt"
  printf -v "$1" '%s' "$(awk 'END { n = split($0, f, " "); s = 0; for (i = 1; i <= n; i++) { split(f[i], p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] } printf "%.3f", s }' "$work/times.txt")"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------------------------------------------------------
# Prerequisites

say "prerequisites"
if ! command -v h2load >/dev/null; then
  [ "$(id -u)" -eq 0 ] || die "h2load is missing: install nghttp2-client (apt-get install nghttp2-client) or run as root"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get install -y -q nghttp2-client >&2 \
    || { timeout 600 apt-get update -q >&2 && timeout 600 apt-get install -y -q nghttp2-client >&2; } \
    || die "could not install nghttp2-client"
fi
ensure_npm_tools || die "npm install in tools/ failed"
for tool in dotnet node h2load; do command -v "$tool" >/dev/null || die "$tool is missing"; done

say "build (Release)"
timeout 900 dotnet build bench/UnaryServers/UnaryServers.csproj -c Release -nologo -clp:ErrorsOnly >&2 || die "build failed"
[ -x "$server_bin" ] || die "no server binary at $server_bin"

mkdir -p "$work/runs" "$(dirname "$out")" "$(dirname "$targets")"
rm -f "$work"/runs/*
timeout 60 "$server_bin" --write-fixtures "$fixtures" || die "could not write the request and response fixtures"

# The runtimes run with their defaults: no tuning variable from the caller's environment reaches a server.
for var in $(env | sed -n 's/^\(\(DOTNET\|COMPlus\)_\(gc\|GC\|Tiered\|TC_\|ReadyToRun\|OSR\|JitStress\)[A-Za-z0-9_]*\)=.*/\1/p'); do
  unset "$var"
done
unset NODE_OPTIONS UV_THREADPOOL_SIZE
export DOTNET_TieredPGO=1 # the default since .NET 8, stated so the report shows it

# ---------------------------------------------------------------------------------------------------------------
# Measurements

servers=(connectorkit grpc-js bare)
shapes=(latency throughput)
declare -A shape_clients=([latency]=1 [throughput]=8)
declare -A shape_streams=([latency]=1 [throughput]=16)
declare -A shape_calls=([latency]=$latency_calls [throughput]=$throughput_calls)
declare -A result       # result[server,shape,metric] = median
declare -A runtime_line # what each server said about itself
declare -A warmup_note  # how each server's warm-up ended
declare -A jit_note     # methods the JIT compiled while a .NET server was measured
raw_rows=""

declare -A jit_before
declare -A samples      # samples[server,shape,metric] = one value per run, space-separated
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

for server in "${servers[@]}"; do
  say "$server: start"
  case "$server" in
    connectorkit) start_server "$server" "$server_bin" --mode connectorkit --port 0 ;;
    bare) start_server "$server" "$server_bin" --mode bare --port 0 ;;
    grpc-js) start_server "$server" node bench/grpc-js-server/server.js --port 0 ;;
  esac
  runtime_line[$server]="$(sed -n 's/^RUNTIME //p' "${log_of[$server]}" | head -n 1)"
  use_server "$server"
  grpc_check
done

# Each server warms up while the others sit idle on the same core.
for server in "${servers[@]}"; do
  say "$server: warm-up"
  use_server "$server"
  warm_up "$server"
  grpc_check
  warmup_note[$server]="$warmup_summary"
  [ "$server" = grpc-js ] || jit_before[$server]="$(jit_methods "${log_of[$server]}")"
done

# Repetitions take turns between the servers, so that whatever else the machine does at some moment
# is spread over all three instead of landing on one.
for shape in "${shapes[@]}"; do
  say "measure: $shape"
  for rep in $(seq "$reps"); do
    for server in "${servers[@]}"; do
      use_server "$server"
      file="$work/runs/$server-$shape-$rep.txt"
      before="$(cpu_ticks "$server_pid")"
      children_cpu client_before
      core0_before="$(core_ticks 0)" core1_before="$(core_ticks 1)" steal_before="$(steal_ticks 0)" idle_before="$(idle_servers_ticks)"
      t0="$(date +%s.%N)"
      h2load_run "${shape_calls[$shape]}" "${shape_clients[$shape]}" "${shape_streams[$shape]}" "$file"
      t1="$(date +%s.%N)"
      after="$(cpu_ticks "$server_pid")"
      children_cpu client_after
      core0_after="$(core_ticks 0)" core1_after="$(core_ticks 1)" steal_after="$(steal_ticks 0)" idle_after="$(idle_servers_ticks)"
      grpc_check

      calls="${shape_calls[$shape]}"
      rate="$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$file")"
      [ -n "$rate" ] || die "no req/s in $file"
      read -r cpu_us busy client_busy other0 other1 steal < <(awk \
        -v s=$((after - before)) -v hz="$clk_tck" -v n="$calls" -v t0="$t0" -v t1="$t1" \
        -v c0="$client_before" -v c1="$client_after" \
        -v k0=$((core0_after - core0_before - (idle_after - idle_before))) -v k1=$((core1_after - core1_before)) -v st=$((steal_after - steal_before)) \
        'BEGIN {
          wall = t1 - t0; client = c1 - c0;
          o0 = 100 * (k0 / hz - s / hz) / wall; if (o0 < 0) o0 = 0;
          o1 = 100 * (k1 / hz - client) / wall; if (o1 < 0) o1 = 0;
          printf "%.2f %.0f %.0f %.0f %.0f %.0f\n", s / hz * 1e6 / n, 100 * s / hz / wall, 100 * client / wall, o0, o1, 100 * st / hz / wall }')
      lat="$(mean_latency_us "$file")"
      for metric in rate:"$rate" cpu:"$cpu_us" busy:"$busy" cbusy:"$client_busy" lat:"$lat" other0:"$other0" other1:"$other1"; do
        samples[$server,$shape,${metric%%:*}]+="${metric#*:} "
      done
      printf '%s %s #%s: %s calls/s, %s µs server CPU per call, server core %s%% busy, h2load core %s%% busy, other processes %s%% / %s%% of cores 0 / 1, idle benchmark servers %s ticks, steal %s%%, mean latency %s µs\n' \
        "$server" "$shape" "$rep" "$rate" "$cpu_us" "$busy" "$client_busy" "$other0" "$other1" "$((idle_after - idle_before))" "$steal" "$lat" >&2
      raw_rows+="| $server | $shape | $rep | $calls | $rate | $cpu_us | $busy % | $client_busy % | $other0 % | $other1 % | $lat |"$'\n'
    done
  done
  for server in "${servers[@]}"; do
    for metric in rate cpu busy cbusy lat other0 other1; do
      result[$server,$shape,$metric]="$(tr ' ' '\n' <<<"${samples[$server,$shape,$metric]}" | grep . | median)"
    done
  done
done

for server in "${servers[@]}"; do
  if [ "$server" = grpc-js ]; then
    jit_note[$server]="n/a"
  else
    use_server "$server"
    jit_note[$server]="$(($(jit_methods "${log_of[$server]}") - jit_before[$server]))"
  fi
done
stop_servers
load_at_end="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------------------------
# Report

say "report: $out"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# verdict A B OP LIMIT: whether A / B OP LIMIT, judged on the unrounded ratio.
verdict() { awk -v a="$1" -v b="$2" -v op="$3" -v lim="$4" 'BEGIN { v = a / b; ok = (op == "<=") ? v <= lim : v >= lim; print ok ? "**met**" : "**not met**" }'; }
fmt_int() { awk -v v="$1" 'BEGIN { printf "%.0f", v }'; }

{
  echo "## Unary SubmitApplication: ConnectorKit.Grpc vs @grpc/grpc-js vs bare Kestrel"
  echo
  echo "How it is measured: [bench/unary/README.md](../bench/unary/README.md)."
  busiest="$(for key in "${!result[@]}"; do case "$key" in *,other0|*,other1) echo "${result[$key]}" ;; esac; done | sort -g | tail -n 1)"
  if awk -v b="${busiest:-0}" 'BEGIN { exit !(b > 5) }'; then
    echo
    echo "> **Shared machine**: other processes used up to ${busiest} % of a benchmark core (median of a cell) while"
    echo "> this ran. Server CPU per call is the server's own time and holds up best; calls/s and latency suffer most."
  fi
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| command | \`bench/unary/run.sh${quick_arg}\` (from \`bench/run.sh\`) |"
  echo "| runtimes | Node $(node --version), @grpc/grpc-js $(node -p "require('./tools/node_modules/@grpc/grpc-js/package.json').version"), @grpc/proto-loader $(node -p "require('./tools/node_modules/@grpc/proto-loader/package.json').version") |"
  echo "| load generator | $(h2load --version 2>&1 | head -n 1), one thread |"
  echo "| pinning | $pinning |"
  echo "| .NET servers | Release; ${runtime_line[connectorkit]:-?}; DOTNET_TieredPGO=1 (default), no other runtime setting |"
  echo "| message | request $(($(stat -c %s "$fixtures/submit-application-request.grpc") - 5)) bytes, response $(stat -c %s "$fixtures/submit-application-response.pb") bytes (identical bytes from every server, checked) |"
  echo "| repetitions | $reps per cell, median shown |"
  echo "| warm-up | at least ${warmup_min_s} s of rounds of $warmup_round_calls calls at \`-c 8 -m 16\`, until CPU per call and (for .NET) the JIT settle; then $latency_warmup_calls calls at \`-c 1 -m 1\` |"
  echo "| warm-up, ConnectorKit | ${warmup_note[connectorkit]} |"
  echo "| warm-up, grpc-js | ${warmup_note[grpc-js]} |"
  echo "| warm-up, bare | ${warmup_note[bare]} |"
  echo "| load average (1, 5, 15 min) | $load_at_start at the start, $load_at_end at the end |"
  echo "| JIT during measurement | methods compiled while measured: ConnectorKit ${jit_note[connectorkit]}, bare ${jit_note[bare]} |"
  for shape in "${shapes[@]}"; do
    echo
    case "$shape" in
      latency) echo "### Latency-bound: one connection, one call at a time (\`-c 1 -m 1\`, ${shape_calls[$shape]} calls per run)" ;;
      throughput) echo "### Throughput-bound: 8 connections × 16 concurrent streams (\`-c 8 -m 16\`, ${shape_calls[$shape]} calls per run)" ;;
    esac
    echo
    echo "| | ConnectorKit | grpc-js | bare Kestrel | ConnectorKit / grpc-js | ConnectorKit / bare |"
    echo "|---|---:|---:|---:|---:|---:|"
    ck_rate="${result[connectorkit,$shape,rate]}"; js_rate="${result[grpc-js,$shape,rate]}"; bare_rate="${result[bare,$shape,rate]}"
    ck_cpu="${result[connectorkit,$shape,cpu]}"; js_cpu="${result[grpc-js,$shape,cpu]}"; bare_cpu="${result[bare,$shape,cpu]}"
    echo "| calls/s | $(fmt_int "$ck_rate") | $(fmt_int "$js_rate") | $(fmt_int "$bare_rate") | $(ratio "$ck_rate" "$js_rate") | $(ratio "$ck_rate" "$bare_rate") |"
    echo "| server CPU µs/call | $ck_cpu | $js_cpu | $bare_cpu | $(ratio "$ck_cpu" "$js_cpu") | $(ratio "$ck_cpu" "$bare_cpu") |"
    echo "| server core busy | ${result[connectorkit,$shape,busy]} % | ${result[grpc-js,$shape,busy]} % | ${result[bare,$shape,busy]} % | | |"
    echo "| h2load core busy | ${result[connectorkit,$shape,cbusy]} % | ${result[grpc-js,$shape,cbusy]} % | ${result[bare,$shape,cbusy]} % | | |"
    echo "| other processes on core 0 / core 1 | ${result[connectorkit,$shape,other0]} % / ${result[connectorkit,$shape,other1]} % | ${result[grpc-js,$shape,other0]} % / ${result[grpc-js,$shape,other1]} % | ${result[bare,$shape,other0]} % / ${result[bare,$shape,other1]} % | | |"
    echo "| mean latency µs (h2load) | ${result[connectorkit,$shape,lat]} | ${result[grpc-js,$shape,lat]} | ${result[bare,$shape,lat]} | | |"
  done
  echo
  echo "### Targets"
  echo
  echo "| target | shape | this run | verdict |"
  echo "|---|---|---:|---|"
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,cpu]}" b="${result[grpc-js,$shape,cpu]}"
    echo "| server CPU per call ≤ 1/3 of grpc-js (ratio ≤ 0.33) | $shape | $(ratio "$a" "$b") | $(verdict "$a" "$b" "<=" 0.33333333) |"
  done
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,cpu]}" b="${result[bare,$shape,cpu]}"
    echo "| server CPU per call ≤ 1.25 × bare Kestrel | $shape | $(ratio "$a" "$b") | $(verdict "$a" "$b" "<=" 1.25) |"
  done
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,rate]}" b="${result[grpc-js,$shape,rate]}"
    echo "| calls/s ≥ 2 × grpc-js | $shape | $(ratio "$a" "$b") | $(verdict "$a" "$b" ">=" 2) |"
  done
  echo
  echo "### How to read this"
  echo
  echo "- **Server CPU µs/call** is the figure to trust most: the server process's user + system CPU time"
  echo "  (\`/proc/PID/stat\`, all threads) spent during the measured run, divided by the calls completed. It counts"
  echo "  everything the server did for the calls (HTTP/2, gRPC, protobuf, GC, timers), and nothing of h2load's."
  echo "- **calls/s** comes from h2load. In the throughput shape it is bounded by the one server core (busy near"
  echo "  100 %) or, for the fastest servers, by h2load's one core: check both *core busy* rows before reading a"
  echo "  calls/s ratio as a server's merit. CPU per call stays meaningful either way."
  echo "- **The latency shape** has one call in flight, so the server waits between calls. Its CPU per call counts"
  echo "  that waiting too: .NET's thread pool spins (sched_yield) before it sleeps, and every call wakes threads."
  echo "  It is real CPU a one-call-at-a-time client costs, but not the work of one call; the throughput shape shows that."
  echo "- **Warm-up** runs until each server has settled (see the warm-up rows): .NET recompiles hot code at tier 1"
  echo "  only after a while, and on one busy core that takes tens of seconds; the rows list CPU per call by round,"
  echo "  which shows how slow the first seconds are. *JIT during measurement* near 0 means steady state was measured."
  echo "- **bare Kestrel** is the floor: an HTTP/2 endpoint that drains the request and writes precomputed bytes"
  echo "  with \`grpc-status: 0\` in trailers — no protobuf, no gRPC runtime. No gRPC server on Kestrel can be cheaper."
  echo "- Every server answers the same 144-byte message; after every run one @grpc/grpc-js call checks"
  echo "  \`grpc-status: 0\` and the exact response bytes, because h2load counts HTTP 200s only."
  echo "- Ratios are ConnectorKit's figure divided by the other's: below 1 is better for CPU, above 1 better for calls/s."
  echo "- **Other processes**: the busy time of cores 0 and 1 (\`/proc/stat\`) not spent by the measured server or"
  echo "  h2load. Near 0 % means the cores were the benchmark's; above a few per cent, something else ran (other"
  echo "  builds, tests, databases) and took turns with the server, which lowers calls/s and raises latency. The"
  echo "  repetitions take turns between the three servers so such load spreads over all of them."
  echo "- One core per server on a small VM: absolute figures move with the machine, and from run to run by a few"
  echo "  per cent; the ratios between servers measured in the same run are what the targets judge."
  echo
  echo "<details><summary>Every run</summary>"
  echo
  echo "| server | shape | run | calls | calls/s | server CPU µs/call | server core busy | h2load core busy | other processes, core 0 | other processes, core 1 | mean latency µs |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s' "$raw_rows"
  echo
  echo "</details>"
} >"$out"

{
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,cpu]}" b="${result[grpc-js,$shape,cpu]}"
    printf 'unary\tserver CPU per call ≤ 1/3 of grpc-js (%s shape)\t%s×\t%s\n' "$shape" "$(ratio "$a" "$b")" "$(verdict "$a" "$b" "<=" 0.33333333 | tr -d '*')"
  done
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,cpu]}" b="${result[bare,$shape,cpu]}"
    printf 'unary\tserver CPU per call ≤ 1.25 × bare Kestrel (%s shape)\t%s×\t%s\n' "$shape" "$(ratio "$a" "$b")" "$(verdict "$a" "$b" "<=" 1.25 | tr -d '*')"
  done
  for shape in "${shapes[@]}"; do
    a="${result[connectorkit,$shape,rate]}" b="${result[grpc-js,$shape,rate]}"
    printf 'unary\tcalls/s ≥ 2 × grpc-js (%s shape)\t%s×\t%s\n' "$shape" "$(ratio "$a" "$b")" "$(verdict "$a" "$b" ">=" 2 | tr -d '*')"
  done
} >"$targets"

echo "wrote $out and $targets" >&2
