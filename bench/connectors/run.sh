#!/usr/bin/env bash
# The connectors benchmark (issue 7): what the rest-json connector adds to a call over calling the bank's API
# directly, and how long the conformance suite takes on the three connectors and the reference bank.
#
#   bench/connectors/run.sh [--quick] [--out FRAGMENT.md] [--targets TARGETS.tsv]
#
#   --quick     few calls and a subset of the conformance cases: checks every step works, measures nothing to quote
#   --out F     the markdown fragment (default artifacts/bench/connectors/connectors.md)
#   --targets F one line per target: area, target, this run, met|not met|not judged (quick run) (default artifacts/bench/connectors/targets.tsv)
#
# Exits non-zero only when the harness fails (a build, a wrong answer, a conformance case failing, a process that
# does not start); a missed target is a verdict in the report. Every process started here is stopped on exit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh
command_line="bench/connectors/run.sh${*:+ $*}"

quick=false
work="$root/artifacts/bench/connectors"
out=""
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --targets) targets="${2:?--targets needs a file}"; shift ;;
    *) echo "usage: bench/connectors/run.sh [--quick] [--out FRAGMENT.md] [--targets TARGETS.tsv]" >&2; exit 2 ;;
  esac
  shift
done
out="${out:-$work/connectors.md}"
targets="${targets:-$work/targets.tsv}"

# Calls per operation and path (measured), warm-up calls per operation and path, rounds the measured calls are
# split into (the paths take turns round by round, so outside load lands on both alike).
if $quick; then
  calls=300; warmup=200; rounds=3
  # A few cases per target: the start-up and the run are exercised, the suite's wall time is not representative.
  conformance_filter="CK-LOAN-001,CK-SHAPE-003,CK-CB-001"
else
  calls=3000; warmup=2000; rounds=5
  conformance_filter=""
fi
overhead_timeout=900      # seconds for the whole overhead driver
conformance_timeout=300   # seconds for one conformance run
start_timeout=60          # seconds for the reference bank to listen

cli="$root/src/ConnectorKit.Cli/bin/Release/net10.0/connectorkit"
driver="$root/bench/connectors/ConnectorOverhead/bin/Release/net10.0/ConnectorOverhead"
bank_dll="$root/examples/BankServer/bin/Release/net10.0/BankServer.dll"
connectors=(rest-json open-platform batch-file)

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/connectors/run.sh: %s\n' "$*" >&2; exit 1; }

bank_pid=""
bank_data=""
cleanup() {
  if [ -n "$bank_pid" ]; then
    kill -TERM "$bank_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$bank_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$bank_pid" 2>/dev/null || true
    wait "$bank_pid" 2>/dev/null || true
    bank_pid=""
  fi
  [ -z "$bank_data" ] || rm -rf "$bank_data"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

for tool in dotnet node java; do command -v "$tool" >/dev/null || die "$tool is missing"; done
ensure_npm_tools || die "npm install in tools/ failed"
mkdir -p "$work" "$(dirname "$out")" "$(dirname "$targets")"
rm -rf "$work/reports"
mkdir -p "$work/reports" "$work/logs"

say "building (Release)"
for project in bench/connectors/ConnectorOverhead/ConnectorOverhead.csproj src/ConnectorKit.Cli/ConnectorKit.Cli.csproj examples/BankServer/BankServer.csproj; do
  timeout 900 dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >&2 || die "build of $project failed"
done

# ---------------------------------------------------------------------------------------------------------------
say "connector overhead: $calls calls per operation and path after $warmup warm-up calls"
timeout "$overhead_timeout" "$driver" --calls "$calls" --warmup "$warmup" --rounds "$rounds" --out-dir "$work" \
  >"$work/logs/overhead.log" 2>&1 || { tail -n 30 "$work/logs/overhead.log" >&2; die "the overhead driver failed (see $work/logs/overhead.log)"; }
# shellcheck disable=SC1091
. "$work/overhead.env"

# ---------------------------------------------------------------------------------------------------------------
# conformance_run NAME ARGS...: times one `connectorkit conformance run`, fails the harness unless every case passed
# or skipped for a declared reason. Appends "NAME<TAB>seconds<TAB>passed<TAB>failed<TAB>skipped<TAB>suite s" to $runs.
runs="$work/conformance-runs.tsv"
: >"$runs"
conformance_run() {
  local name="$1" dir="$work/reports/$1" log="$work/logs/conformance-$1.log" started ended
  shift
  local filter=()
  [ -z "$conformance_filter" ] || filter=(--filter "$conformance_filter")
  started="$(date +%s%N)"
  if ! timeout "$conformance_timeout" "$cli" conformance run "$@" "${filter[@]}" --report-dir "$dir" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "conformance run '$name' failed (see $log)"
  fi
  ended="$(date +%s%N)"
  node -e '
    const r = require(process.argv[1]);
    const t = r.totals;
    if (!r.succeeded || t.failed > 0) { console.error("not all cases passed"); process.exit(1); }
    console.log([process.argv[2], (Number(process.argv[3]) / 1e9).toFixed(1), t.passed, t.failed, t.skipped, (r.duration_ms / 1000).toFixed(1)].join("\t"));
  ' "$dir/report.json" "$name" "$((ended - started))" >>"$runs" || die "conformance run '$name': not every case passed (see $dir)"
}

free_port() { node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'; }

start_reference_bank() {
  local callback_port="$1" log="$work/logs/reference-bank.log"
  bank_data="$(mktemp -d -t ck-bench-refbank-XXXXXX)"
  : >"$log"
  # From its output folder, as it is deployed: its appsettings.json makes the gRPC endpoint HTTP/2 (h2c).
  (cd "$(dirname "$bank_dll")" && exec dotnet "$(basename "$bank_dll")" \
    --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0 \
    --Kestrel:Endpoints:Sandbox:Url=http://127.0.0.1:0 \
    --Kestrel:Endpoints:Sandbox:Protocols=Http1 \
    --ConnectorKit:Server:BankId=reference-bank \
    --ConnectorKit:Server:DataDirectory="$bank_data" \
    --ConnectorKit:Server:Platform:Address="http://127.0.0.1:$callback_port" \
    --ConnectorKit:Server:Platform:PollInterval=00:00:00.050 \
    --ConnectorKit:Server:Platform:BaseRetryDelay=00:00:00.100 \
    --ConnectorKit:Server:Platform:MaxRetryDelay=00:00:01 \
    --ConnectorKit:Server:Authentication:BearerTokens:bench-platform-token-0123456789=platform-a \
    --ConnectorKit:Server:Authentication:BearerTokens:bench-other-platform-token-0123=platform-b \
    --Sandbox:Enabled=true --Sandbox:Token=bench-sandbox-driver-token-0123456789 \
    --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information \
    >>"$log" 2>&1) &
  bank_pid=$!
  local deadline=$((SECONDS + start_timeout))
  while [ $SECONDS -lt $deadline ]; do
    # Kestrel reports the endpoints by name: Grpc, then Sandbox.
    if [ "$(grep -c 'Now listening on: http://' "$log")" -ge 2 ]; then
      bank_grpc="$(grep -o 'Now listening on: http://[^ ]*' "$log" | sed -n 1p | sed 's/Now listening on: //')"
      bank_sandbox="$(grep -o 'Now listening on: http://[^ ]*' "$log" | sed -n 2p | sed 's/Now listening on: //')"
      return 0
    fi
    kill -0 "$bank_pid" 2>/dev/null || { cat "$log" >&2; die "the reference bank exited before it listened"; }
    sleep 0.1
  done
  cat "$log" >&2
  die "the reference bank did not listen within ${start_timeout}s"
}

say "conformance: one run after another (${connectors[*]}, reference bank)"
for connector in "${connectors[@]}"; do
  conformance_run "$connector" --connector "$connector"
done

callback_port="$(free_port)"
bank_started="$(date +%s%N)"
start_reference_bank "$callback_port"
bank_start_s="$(awk -v a="$bank_started" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')"
target_file="$work/reference-bank-target.json"
cat >"$target_file" <<EOF
{
  "name": "reference bank (examples/BankServer, sandbox on)",
  "address": "$bank_grpc",
  "bank_id": "reference-bank",
  "token": "bench-platform-token-0123456789",
  "other_platform_token": "bench-other-platform-token-0123",
  "callback_listen": "http://127.0.0.1:$callback_port",
  "driver": { "url": "$bank_sandbox/sandbox/", "token": "bench-sandbox-driver-token-0123456789" }
}
EOF
conformance_run reference-bank --target "$target_file"
cleanup

# ---------------------------------------------------------------------------------------------------------------
say "writing $out and $targets"
total_s="$(awk -F'\t' '{ s += $2 } END { printf "%.1f", s }' "$runs")"
overhead_verdict=$(awk -v v="$worst_added_p50" 'BEGIN { print (v <= 1.0 ? "met" : "not met") }')
conformance_verdict=$(awk -v v="$total_s" 'BEGIN { print (v <= 60 ? "met" : "not met") }')
if $quick; then
  conformance_note=" (quick: cases $conformance_filter only, not the full suite)"
  # A subset of the cases says nothing about the full suite's time: no verdict rather than a "met" to misquote.
  conformance_verdict="not judged (quick run)"
else
  conformance_note=""
fi
bold() { echo "**$1**"; }

{
  echo "## Connectors: overhead and conformance wall time"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| command | \`$command_line\` |"
  echo "| overhead: what is measured | latency of one call at a time: the rest-json connector (gRPC over h2c to the gateway, which calls WireMock) against the same bank request(s) sent straight to WireMock with HttpClient; CPU of the .NET process (driver + gateway) and of the WireMock JVM per call, from /proc |"
  echo "| overhead: shape | 4 operations; ${calls_per_path} measured calls per operation and path, in ${rounds} rounds where the two paths take turns; ${warmup} warm-up calls per operation and path first, then settling rounds (a quarter of that over every operation and path) until a round makes the JIT compile at most 20 methods: ${settling_rounds} rounds, ${settling_last_jit} methods in the last; ${jit_during_measured} methods compiled during the measured phase (this count includes the harness's own bookkeeping between blocks: /proc readings, WireMock's journal) |"
  echo "| overhead: set-up | WireMock standalone jar (tools/node_modules) with the connector's shipped mappings; gateway in-process (ConnectorGatewayHost) with the settings the conformance suite uses; SQLite store; Release; nothing pinned |"
  echo "| conformance: what is measured | wall time of \`connectorkit conformance run\` (Release CLI), start to exit, including WireMock's and the gateway's start-up; the four runs one after another${conformance_note} |"
  echo "| reference bank | started before its run (not counted: ${bank_start_s} s), as an integrator's sandbox would already be running |"
  echo "| noise | other processes used ${other_cpu_percent} % of the machine's CPU during the measured overhead calls$( [ "${other_cpu_percent%.*}" -gt 5 ] && echo ' — **shared machine**: latencies are inflated; compare the two paths, not absolute figures' ) |"
  echo
  echo "### Connector overhead (rest-json)"
  echo
  cat "$work/overhead.md"
  echo
  echo "### Conformance runs"
  echo
  echo "| target | wall s | suite s | passed | failed | skipped |"
  echo "|---|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $6, $3, $4, $5 }' "$runs"
  echo "| **all four, one after another** | **$total_s** | | | | |"
  echo
  echo "### Targets"
  echo
  echo "| target | this run | verdict |"
  echo "|---|---|---|"
  echo "| connector overhead: REST connector vs calling WireMock directly: ≤ 1 ms added at p50 | ${worst_added_p50} ms (worst operation: ${worst_added_op}) | $(bold "$overhead_verdict") |"
  echo "| conformance run: the full suite on three connectors + reference bank: ≤ 60 s wall | ${total_s} s one after another${conformance_note} | $(bold "$conformance_verdict") |"
  echo
  echo "How to read this:"
  echo
  echo "- *added p50* is the connector path's median minus the direct path's median for the same operation: the gRPC hop, the gateway's validation, idempotency store and state machine, the connector's mapping and its HttpClient/Polly pipeline. GetApplication makes no bank request (the gateway answers from its store), so its whole latency counts as added."
  echo "- The CPU columns are the steadier figure on a shared machine: *added .NET CPU* is what the gateway and the gRPC client spend per call beyond sending the bank request directly."
  echo "- p90/p99 on a shared 2-core machine mostly show other processes' load; the medians are what the target is stated on."
  echo "- The conformance wall time is what an integrator checking all four waits, running the documented commands one after another; each includes starting WireMock (a JVM) and the gateway."
  echo "- Every call's answer is checked (status OK, fields present, one bank request per call); a wrong answer or a failing conformance case fails the benchmark instead of giving a figure."
} >"$out"

{
  printf 'connectors\tconnector overhead: REST connector vs calling WireMock directly: ≤ 1 ms added at p50\t%s ms (%s)\t%s\n' "$worst_added_p50" "$worst_added_op" "$overhead_verdict"
  printf 'connectors\tconformance run: the full suite on three connectors + reference bank: ≤ 60 s wall\t%s s%s\t%s\n' "$total_s" "$conformance_note" "$conformance_verdict"
} >"$targets"

cat "$out" >&2
