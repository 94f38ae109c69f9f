#!/usr/bin/env bash
# The README's run command: the end-to-end demo on loopback with SQLite in .ck-data/.
# Starts the reference bank (examples/BankServer) and the platform side (examples/PlatformClient), takes a batch of
# enterprises from nothing to disbursed loans, and prints a summary. Arguments go to the demo, e.g. --enterprises 60.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet build examples/PlatformClient/PlatformClient.csproj -c Release -nologo -clp:ErrorsOnly -v:quiet
exec dotnet examples/PlatformClient/bin/Release/net10.0/PlatformClient.dll demo --data "$root/.ck-data/demo" "$@"
