#!/usr/bin/env bash
# Makes sure the local PostgreSQL (127.0.0.1:5432) and NATS (127.0.0.1:4222)
# that the PostgreSQL and NATS tests use are running when they are installed
# but stopped. Services that are not installed are left alone: their tests
# then skip and say why (or fail with CI=true). Run it, or source it from
# scripts/test.sh; it never fails the caller, it only says what it did.

# port_open HOST PORT: whether something accepts TCP connections there.
worktalk_port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# wait_port HOST PORT NAME: waits up to 10s for the port to open.
worktalk_wait_port() {
  local i
  for i in $(seq 1 50); do
    if worktalk_port_open "$1" "$2"; then
      return 0
    fi
    sleep 0.2
  done
  echo "services: $3 still not answering on $1:$2 after 10s" >&2
  return 1
}

worktalk_start_postgres() {
  if worktalk_port_open 127.0.0.1 5432; then
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
    echo "services: PostgreSQL is not installed; its tests will be skipped" >&2
    return 0
  fi
  local version
  for version in $(ls /etc/postgresql); do
    echo "services: starting PostgreSQL $version" >&2
    pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
      echo "services: could not start PostgreSQL $version (run as root or the postgres user)" >&2
  done
  worktalk_wait_port 127.0.0.1 5432 PostgreSQL || true
}

worktalk_start_nats() {
  if worktalk_port_open 127.0.0.1 4222; then
    return 0
  fi
  if [ ! -x /usr/sbin/nats-server ]; then
    echo "services: nats-server is not installed; the NATS tests will be skipped" >&2
    return 0
  fi
  echo "services: starting nats-server on 127.0.0.1:4222" >&2
  mkdir -p /var/lib/nats-server 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log ||
    echo "services: could not start nats-server (run as root)" >&2
  worktalk_wait_port 127.0.0.1 4222 NATS || true
}

worktalk_start_postgres || true
worktalk_start_nats || true
