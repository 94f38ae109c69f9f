#!/usr/bin/env bash
# Re-renders docs/*.dot to docs/*.svg with Graphviz (apt-get install -y graphviz). Each SVG carries the SHA-256 of
# its source in a comment, which tests/ConnectorKit.Contracts.Tests/DiagramTests.cs recomputes, so a diagram whose
# source changed without a re-render fails the tests.
set -euo pipefail
cd "$(dirname "$0")"
command -v dot >/dev/null || { echo "Graphviz 'dot' not found: apt-get install -y graphviz" >&2; exit 1; }
for source in *.dot; do
  target="${source%.dot}.svg"
  hash="$(sha256sum "$source" | cut -d' ' -f1)"
  dot -Tsvg "$source" | awk -v hash="$hash" -v src="docs/$source" '
    NR == 1 { print; print "<!-- source: " src " sha256: " hash " (docs/render-diagrams.sh) -->"; next }
    { print }' > "$target.tmp"
  mv "$target.tmp" "$target"
  echo "rendered docs/$target from docs/$source"
done
