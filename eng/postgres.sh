#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests.
#
#   eng/postgres.sh start        Installs Debian's postgresql with apt when initdb/pg_ctl are missing, creates a cluster
#                                in a new /tmp/connectorkit-pg.XXXXXX directory, starts it on a free port on 127.0.0.1
#                                (unix socket inside that directory, trust authentication, user "connectorkit"), and
#                                prints two lines to eval:
#                                  export CONNECTORKIT_TEST_POSTGRES='Host=127.0.0.1;Port=…;Username=connectorkit;Database=postgres'
#                                  export CONNECTORKIT_TEST_POSTGRES_DIR='/tmp/connectorkit-pg.…'
#   eng/postgres.sh stop [DIR]   Stops the server in DIR (default $CONNECTORKIT_TEST_POSTGRES_DIR) and deletes DIR.
#
# Typical use: eval "$(eng/postgres.sh start)"; trap 'eng/postgres.sh stop' EXIT
# Progress goes to stderr; stdout carries only the export lines. initdb refuses to run as root, so as root the server
# runs as the "postgres" OS user (created by the Debian package), or a dedicated "connectorkit-pg" user when that is
# missing. The cluster is for tests only: fsync is off, and anyone on this machine may connect without a password.
set -euo pipefail

readonly prefix="/tmp/connectorkit-pg."
readonly db_user="connectorkit"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The newest server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin, off the PATH.
find_bindir() {
  local dir
  while IFS= read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      printf '%s\n' "$dir"
      return 0
    fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r)
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

install_postgres() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "PostgreSQL is not installed and this is not root: install Debian's postgresql package."
    sudo=(sudo)
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is missing: install PostgreSQL (initdb, pg_ctl) yourself."
  log "installing PostgreSQL with apt (once per machine)"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2
  # postgresql-common first, so the server package does not create and start a system-wide "main" cluster on 5432.
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql-common >&2
  if [ -f /etc/postgresql-common/createcluster.conf ]; then
    "${sudo[@]}" sed -i 's/^#\?[[:space:]]*create_main_cluster[[:space:]]*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
  fi
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends postgresql >&2
}

# Runs a command as the user that owns the cluster.
as_owner() {
  local owner="$1"
  shift
  if [ "$(id -un)" = "$owner" ]; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    runuser -u "$owner" -- "$@"
  else
    su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"
  fi
}

pick_owner() {
  if [ "$(id -u)" -ne 0 ]; then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    id connectorkit-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin connectorkit-pg
    echo connectorkit-pg
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bindir owner dir port started=""
  bindir="$(find_bindir)" || { install_postgres; bindir="$(find_bindir)" || die "initdb/pg_ctl still missing after installing postgresql"; }
  owner="$(pick_owner)"

  dir="$(mktemp -d "${prefix}XXXXXX")"
  chmod 700 "$dir"
  mkdir "$dir/socket"
  chown -R "$owner" "$dir"
  printf '%s\n' "$bindir" > "$dir/bindir"

  log "creating a cluster in $dir with $bindir (server runs as $owner)"
  if ! as_owner "$owner" "$bindir/initdb" -D "$dir/data" -U "$db_user" --auth=trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    die "initdb failed"
  fi
  cat >> "$dir/data/postgresql.conf" <<EOF

# eng/postgres.sh: a throw-away test server.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_owner "$owner" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null 2>&1; then
      started=1
      break
    fi
    log "port $port did not work; trying another"
  done
  if [ -z "$started" ]; then
    tail -n 20 "$dir/server.log" >&2 || true
    rm -rf "$dir"
    die "the server did not start"
  fi

  log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') listening on 127.0.0.1:$port"
  printf "export CONNECTORKIT_TEST_POSTGRES='Host=127.0.0.1;Port=%s;Username=%s;Database=postgres'\n" "$port" "$db_user"
  printf "export CONNECTORKIT_TEST_POSTGRES_DIR='%s'\n" "$dir"
}

stop() {
  local dir="${1:-${CONNECTORKIT_TEST_POSTGRES_DIR:-}}" bindir owner
  [ -n "$dir" ] || die "stop: no directory given and CONNECTORKIT_TEST_POSTGRES_DIR is not set"
  case "$dir" in
    "$prefix"*) ;;
    *) die "stop: '$dir' is not a directory this script created" ;;
  esac
  [ -d "$dir" ] || { log "$dir is already gone"; return 0; }
  if [ -f "$dir/data/postmaster.pid" ]; then
    bindir="$(cat "$dir/bindir" 2>/dev/null || find_bindir)"
    owner="$(stat -c %U "$dir/data")"
    as_owner "$owner" "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || log "pg_ctl stop failed; deleting anyway"
  fi
  rm -rf "$dir"
  log "stopped and deleted $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) die "usage: $0 start|stop [DIR]" ;;
esac
