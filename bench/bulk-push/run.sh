#!/usr/bin/env bash
# The bulk-push benchmark: StreamCreditProfiles into the reference bank (examples/BankServer, SQLite, a real process),
# fed by ConnectorKit.Client's PushCreditProfilesAsync (bench/bulk-push/BulkPusher) and, as the peer, by a
# @grpc/grpc-js client (bench/bulk-push/grpc-js-pusher.js) against the same bank build.
#
#   bench/bulk-push/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv
#
#   --quick   100,000 profiles (peer 20,000), a smoke of every step in about 2 minutes
#   full      1,000,000 profiles (peer 200,000)
#
# Every bank and pusher started here is killed on exit, whatever the exit. Exits non-zero only when the harness fails
# (a bank that does not start, a push that fails or times out, a stored count that differs); a missed target is a
# verdict in the report.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# shellcheck source=bench/lib.sh
source bench/lib.sh
command_line="bench/bulk-push/run.sh${*:+ $*}"

quick=false
out=""
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true ;;
    --out) out="${2:?--out needs a file}"; shift ;;
    --targets) targets="${2:?--targets needs a file}"; shift ;;
    *) echo "usage: bench/bulk-push/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$out" ] && [ -n "$targets" ] || { echo "usage: bench/bulk-push/run.sh [--quick] --out FRAGMENT.md --targets TARGETS.tsv" >&2; exit 2; }

if $quick; then
  count=100000; peer_count=20000; every=20000; push_timeout=300
else
  count=1000000; peer_count=200000; every=100000; push_timeout=900
fi
chunk=1000
bank_id="reference-bank"
token="bench-platform-token-0123456789abcdef"
clk_tck="$(getconf CLK_TCK)"
work="$root/artifacts/bench/bulk-push"
bank_bin="$root/examples/BankServer/bin/Release/net10.0/BankServer"
pusher_bin="$root/bench/bulk-push/BulkPusher/bin/Release/net10.0/BulkPusher"

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'bench/bulk-push/run.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
bank_pid=""
pusher_pid=""
cleanup() {
  for pid in $pusher_pid $bank_pid; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pusher_pid=""; bank_pid=""
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# Bank on core 0, pusher on core 1. With fewer than 2 cores both run unpinned and the report says so.
if [ "$(nproc)" -ge 2 ]; then
  pin_bank=(taskset -c 0); pin_pusher=(taskset -c 1); pinning="bank on core 0, pusher on core 1 (taskset)"
else
  pin_bank=(); pin_pusher=(); pinning="unpinned: fewer than 2 cores"
fi

core_busy() { awk '$1 == "cpu0" || $1 == "cpu1" { s += $2 + $3 + $4 + $7 + $8 } END { print s }' /proc/stat; }
ticks_of() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------------------------------------------------------
say "build (Release)"
dotnet build examples/BankServer/BankServer.csproj -c Release -nologo -v q >&2 || die "BankServer did not build"
dotnet build bench/bulk-push/BulkPusher/BulkPusher.csproj -c Release -nologo -v q >&2 || die "BulkPusher did not build"
ensure_npm_tools || die "npm install in tools/ failed"
rm -rf "$work"; mkdir -p "$work"

# start_bank DIR: the reference bank on a fresh SQLite database under DIR, h2c on a port Kestrel picks; sets bank_pid
# and bank_port. Callbacks are not configured: this benchmark only pushes credit data.
start_bank() {
  local dir="$1"
  mkdir -p "$dir"
  (cd "$dir" && exec "${pin_bank[@]}" "$bank_bin" \
    --Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0 \
    --Kestrel:Endpoints:Grpc:Protocols=Http2 \
    --ConnectorKit:Server:BankId="$bank_id" \
    --ConnectorKit:Server:DataDirectory="$dir/data" \
    --ConnectorKit:Server:Authentication:BearerTokens:"$token"=platform-bench \
    --Logging:LogLevel:Default=Warning \
    --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information >"$dir/bank.log" 2>&1) &
  bank_pid=$!
  local deadline=$((SECONDS + 30))
  until grep -q "Now listening on" "$dir/bank.log" 2>/dev/null; do
    kill -0 "$bank_pid" 2>/dev/null || die "the bank exited: $(tail -n 20 "$dir/bank.log")"
    [ $SECONDS -lt $deadline ] || die "the bank did not listen within 30 s"
    sleep 0.2
  done
  bank_port="$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/bank.log" | head -n 1 | sed 's/.*://')"
}

# run_push NAME COUNT: one push into a fresh bank with the pusher NAME (connectorkit | grpc-js).
# Writes $work/NAME/{samples,result,stored,noise}.
run_push() {
  local name="$1" n="$2"
  local dir="$work/$name"
  say "$name: $n profiles"
  start_bank "$dir"
  local busy_before; busy_before="$(core_busy)"
  local pusher
  case "$name" in
    connectorkit) pusher=("$pusher_bin" push --address "http://127.0.0.1:$bank_port") ;;
    grpc-js) pusher=(node bench/bulk-push/grpc-js-pusher.js --address "127.0.0.1:$bank_port") ;;
  esac
  local pusher_args=(--token "$token" --bank-id "$bank_id" --count "$n" --bank-pid "$bank_pid" --sample-every "$every" --chunk "$chunk")
  timeout "$push_timeout" "${pin_pusher[@]}" "${pusher[@]}" "${pusher_args[@]}" >"$dir/pusher.out" 2>"$dir/pusher.err" &
  pusher_pid=$!
  local pusher_ticks=0 rc=0
  # The pusher's own CPU is in its SAMPLE lines; the wait below only collects its exit status.
  wait "$pusher_pid" || rc=$?
  pusher_pid=""
  local busy_after; busy_after="$(core_busy)"
  local bank_ticks; bank_ticks="$(ticks_of "$bank_pid")"
  [ "$rc" -eq 0 ] || die "$name: the push failed (exit $rc): $(tail -n 5 "$dir/pusher.err") $(tail -n 3 "$dir/pusher.out")"
  grep '^SAMPLE' "$dir/pusher.out" >"$dir/samples"
  grep '^RESULT' "$dir/pusher.out" >"$dir/result"
  pusher_ticks="$(tail -n 1 "$dir/samples" | cut -f 6)"
  # Durability check: SIGKILL (no shutdown code runs), then count what the database file holds.
  kill -9 "$bank_pid"; wait "$bank_pid" 2>/dev/null || true; bank_pid=""
  "$pusher_bin" count --db "$dir/data/connectorkit.db" | cut -f 2 >"$dir/stored"
  [ "$(cat "$dir/stored")" -eq "$n" ] || die "$name: the bank stored $(cat "$dir/stored") profiles, $n were acknowledged"
  # Share of cores 0 and 1 that processes other than this bank and pusher used during the push.
  local wall_ms; wall_ms="$(cut -f 7 "$dir/result")"
  awk -v b="$busy_before" -v a="$busy_after" -v bank="$bank_ticks" -v pusher="$pusher_ticks" -v ms="$wall_ms" -v hz="$clk_tck" \
    'BEGIN { other = (a - b) - bank - pusher; if (other < 0) other = 0; printf "%.0f\n", 100 * other / (2 * hz * ms / 1000) }' >"$dir/noise"
  printf '%s: %s stored, %s ms, other processes %s %% of cores 0+1\n' "$name" "$(cat "$dir/stored")" "$wall_ms" "$(cat "$dir/noise")" >&2
}

run_push connectorkit "$count"
run_push grpc-js "$peer_count"

# ---------------------------------------------------------------------------------------------------------------
# Figures. samples: SAMPLE acked ms rss_kb bank_ticks pusher_ticks (the first line is before the push).
# figures NAME UPTO: profiles/s, bank and pusher CPU µs per profile, last RSS (MB), over the samples up to UPTO.
figures() {
  awk -F '\t' -v upto="$2" -v hz="$clk_tck" '
    NR == 1 { a0 = $2; t0 = $3; b0 = $5; p0 = $6 }
    $2 <= upto { a = $2; t = $3; b = $5; p = $6; r = $4 }
    END {
      n = a - a0
      printf "%d %.0f %.1f %.1f %.0f %.1f\n", n, n / ((t - t0) / 1000), (b - b0) * 1e6 / hz / n, (p - p0) * 1e6 / hz / n, r * 1.024 / 1000, (t - t0) / 1000
    }' "$work/$1/samples"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

read -r ck_n ck_rate ck_bank ck_pusher ck_rss ck_s < <(figures connectorkit "$count")
read -r ckp_n ckp_rate ckp_bank ckp_pusher ckp_rss ckp_s < <(figures connectorkit "$peer_count")
read -r js_n js_rate js_bank js_pusher js_rss js_s < <(figures grpc-js "$peer_count")
# RSS target: the highest sample from 100,000 profiles on (quick: from the first sample).
rss_from=$($quick && echo "$every" || echo 100000)
read -r rss_max rss_first rss_last < <(awk -F '\t' -v from="$rss_from" 'NR > 1 && $2 >= from { m = ($4 > m ? $4 : m); if (!f) f = $4; l = $4 } END { printf "%.1f %.1f %.1f\n", m * 1.024 / 1000, f * 1.024 / 1000, l * 1.024 / 1000 }' "$work/connectorkit/samples")
# Steady state: the median bank CPU per profile over the segments of the push's second half (past JIT warm-up).
steady_bank=$(awk -F '\t' -v hz="$clk_tck" 'NR > 1 { v[++n] = ($5 - b) * 1e6 / hz / ($2 - a) } { a = $2; b = $5 }
  END {
    m = 0
    for (i = int(n / 2) + 1; i <= n; i++) { x = v[i]; j = ++m; while (j > 1 && w[j - 1] > x) { w[j] = w[j - 1]; j-- } w[j] = x }
    printf "%.1f", (m % 2 ? w[(m + 1) / 2] : (w[m / 2] + w[m / 2 + 1]) / 2)
  }' "$work/connectorkit/samples")
rate_verdict=$(awk -v r="$ck_rate" 'BEGIN { print (r >= 50000 ? "met" : "not met") }')
rss_verdict=$(awk -v m="$rss_max" 'BEGIN { print (m < 150 ? "met" : "not met") }')
runtime="$(dotnet --version 2>/dev/null || echo '?')"; node_version="$(node --version 2>/dev/null || echo '?')"
fmt() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

mkdir -p "$(dirname "$out")" "$(dirname "$targets")"
{
  echo "## Bulk credit push (StreamCreditProfiles into the reference bank on SQLite)"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| command | \`$command_line\` |"
  echo "| what is measured | profiles acknowledged per second over the whole push and per segment; the bank's resident memory (VmRSS) and CPU (utime+stime of all threads, /proc) sampled every $(fmt "$every") acknowledged profiles; the pusher's own CPU |"
  echo "| bank | examples/BankServer, Release, its own process, SQLite (WAL) in a fresh directory, h2c on 127.0.0.1, logging at Warning; $pinning |"
  echo "| pushers | ConnectorKit.Client \`PushCreditProfilesAsync\` (BulkPusher, .NET $runtime) and @grpc/grpc-js with proto-loader (grpc-js-pusher.js, Node $node_version); both send chunks of $chunk profiles, one client-streaming call per chunk, awaiting write back-pressure |"
  echo "| shape | $(fmt "$count") profiles through ConnectorKit, $(fmt "$peer_count") through grpc-js (the same first profiles); each ~480 bytes on the wire: an 18-character credit code with a valid check character, one consent per enterprise, two dimensions, innovation points |"
  echo "| repetitions | one push per client (a push of $(fmt "$count") is its own long repetition; the segment table shows its spread) |"
  echo "| warm-up | none: a bulk sync is a cold, one-off job, so the figures include the bank's JIT warm-up (visible in the first segment) |"
  echo "| durability check | after each push the bank is killed with SIGKILL and its database counted: $(fmt "$(cat "$work/connectorkit/stored")") of $(fmt "$count") and $(fmt "$(cat "$work/grpc-js/stored")") of $(fmt "$peer_count") stored |"
  echo "| noise | other processes used $(cat "$work/connectorkit/noise") % (ConnectorKit push) and $(cat "$work/grpc-js/noise") % (grpc-js push) of cores 0+1 |"
  echo
  echo "### ConnectorKit client vs grpc-js client, same bank, first $(fmt "$peer_count") profiles"
  echo
  echo "| | ConnectorKit client | grpc-js client | ConnectorKit / grpc-js |"
  echo "|---|---:|---:|---:|"
  echo "| profiles/s | $(fmt "$ckp_rate") | $(fmt "$js_rate") | $(ratio "$ckp_rate" "$js_rate") |"
  echo "| bank CPU µs per profile | $ckp_bank | $js_bank | $(ratio "$ckp_bank" "$js_bank") |"
  echo "| pusher CPU µs per profile (incl. generating profiles) | $ckp_pusher | $js_pusher | $(ratio "$ckp_pusher" "$js_pusher") |"
  echo "| bank RSS at $(fmt "$peer_count") (MB) | $ckp_rss | $js_rss | $(ratio "$ckp_rss" "$js_rss") |"
  echo "| wall time (s) | $ckp_s | $js_s | |"
  echo
  echo "### ConnectorKit client, $(fmt "$count") profiles, per segment"
  echo
  echo "| acknowledged | segment profiles/s | bank RSS (MB) | bank CPU µs per profile | bank core busy | pusher CPU µs per profile |"
  echo "|---:|---:|---:|---:|---:|---:|"
  awk -F '\t' -v hz="$clk_tck" '
    NR > 1 {
      n = $2 - a; s = ($3 - t) / 1000; bank = ($5 - b) / hz
      printf "| %d | %.0f | %.0f | %.1f | %.0f %% | %.1f |\n", $2, n / s, $4 * 1.024 / 1000, bank * 1e6 / n, 100 * bank / s, ($6 - p) * 1e6 / hz / n
    }
    { a = $2; t = $3; b = $5; p = $6 }' "$work/connectorkit/samples"
  echo "| **whole push** | **$(fmt "$ck_rate")** | $ck_rss | $ck_bank | | $ck_pusher |"
  echo
  echo "### Targets"
  echo
  echo "| target | this run | verdict |"
  echo "|---|---|---|"
  echo "| bulk push into the reference bank on SQLite ≥ 50,000 profiles/s | $(fmt "$ck_rate") profiles/s over $(fmt "$count"), with other processes on the cores; bank CPU $ck_bank µs per profile overall, $steady_bank in the steady state: at most $(fmt "$(awk -v c="$steady_bank" 'BEGIN { printf "%.0f", 1e6 / c }')") profiles/s with one core to itself | **$rate_verdict** |"
  echo "| bank resident memory flat, < 150 MB, from $(fmt "$rss_from") to $(fmt "$count") profiles | max $rss_max MB ($rss_first MB at $(fmt "$rss_from"), $rss_last MB at $(fmt "$count")); MB = 10^6 bytes, VmRSS KiB × 1.024 / 1000 | **$rss_verdict** |"
  echo
  echo "How to read this:"
  echo
  echo "- The bank's CPU per profile is the figure that does not depend on the machine's load: the bank has one core, so"
  echo "  1,000,000 / (µs per profile) is the rate it could reach with that core to itself. profiles/s is wall-clock and"
  echo "  drops when other processes take turns on core 0 (the \"bank core busy\" column shows how much of it the bank got)."
  echo "- The side-by-side table compares the two clients against the same bank: the bank's CPU per profile should be"
  echo "  about equal (same bytes arrive); a difference in profiles/s with equal bank CPU comes from the client or the noise."
  echo "- Acknowledged means committed: each chunk's summary comes back after its last transaction committed, and the"
  echo "  count after SIGKILL shows every acknowledged profile in the file (see README for what survives a power cut)."
  echo "- RSS is sampled at each segment boundary; flat means the bank does not hold profiles beyond one batch."
} >"$out"

printf 'bulk-push\tbulk push into the reference bank on SQLite >= 50,000 profiles/s\t%s profiles/s (steady-state bank CPU %s us/profile)\t%s\n' "$ck_rate" "$steady_bank" "$rate_verdict" >"$targets"
printf 'bulk-push\tbank resident memory flat < 150 MB from %s to %s profiles\tmax %s MB\t%s\n' "$rss_from" "$count" "$rss_max" "$rss_verdict" >>"$targets"
say "wrote $out and $targets"
