# Shared by the benchmark scripts: source it from the repository root (after `cd "$root"`).

# ensure_npm_tools: the npm peers in tools/ (@grpc/grpc-js, @grpc/proto-loader, the WireMock jar), installed from the
# lock file when any is missing. Returns non-zero when they cannot be installed.
ensure_npm_tools() {
  local package
  for package in @grpc/grpc-js @grpc/proto-loader wiremock; do
    [ -f "tools/node_modules/$package/package.json" ] || break
    [ "$package" = wiremock ] && return 0
  done
  (cd tools && timeout 600 npm ci --no-audit --no-fund --loglevel=error >&2) && return 0
  # npm 11 refuses this lock file (it lacks other platforms' optional buf binaries); install from it without rewriting it.
  echo "npm ci failed; installing the locked versions with npm install --no-save" >&2
  (cd tools && timeout 600 npm install --no-save --no-audit --no-fund --loglevel=error >&2)
}
