#!/usr/bin/env bash
# The README's test command: installs the tools the tests run (npm peers, buf), builds, runs every test,
# and ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

step() { printf '\n== %s\n' "$*"; }

step "npm tools (grpc-js, proto-loader, buf, wiremock)"
if [ ! -d tools/node_modules ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
  (cd tools && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

step "build"
if ! dotnet build ConnectorKit.sln -c Release -warnaserror -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

step "pack (every package, the connectorkit tool and the proto archive, into artifacts/packages)"
# Packed from the build just made, before the tests, so the packaging tests install and consume what ships.
rm -rf "$root/artifacts/packages"
if ! dotnet pack ConnectorKit.sln -c Release --no-build -warnaserror -nologo -clp:ErrorsOnly; then
  echo "pack failed"
  echo "0 passed, 1 failed"
  exit 1
fi

step "chromium (the conformance report is read in headless Chromium)"
bash "$root/eng/chromium.sh" || echo "eng/chromium.sh could not install Chromium; the HTML report test will fail"

step "postgresql (for the PostgreSQL store tests)"
# A throw-away server unless the caller named one; without it those tests fail and say to run this script.
if [ -z "${CONNECTORKIT_TEST_POSTGRES:-}" ]; then
  if pg_env="$(bash "$root/eng/postgres.sh" start)"; then
    eval "$pg_env"
    # Quiet, so the run still ends with the "N passed, N failed" line.
    trap 'bash "$root/eng/postgres.sh" stop "$CONNECTORKIT_TEST_POSTGRES_DIR" >/dev/null 2>&1' EXIT
  else
    echo "eng/postgres.sh could not start PostgreSQL; the PostgreSQL store tests will fail"
  fi
fi

step "tests"
status=0
dotnet test ConnectorKit.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" \
  -- xUnit.ParallelizeTestCollections=true || status=$?

# Sum the outcome counters of every TRX file, so one line tells the whole run.
passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failed test (a crash or a project that did not run): count it.
  failed=1
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "no test ran"
  failed=1
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
