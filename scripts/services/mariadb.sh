#!/usr/bin/env bash
# MariaDB for asof's tests (the MySQL/Aurora stand-in), without systemd.
#
#   scripts/services/mariadb.sh start|stop|restart|status|install|env
#
# start: installs mariadb-server with apt if `mariadbd` is missing, initialises a
# data dir under $ASOF_SERVICES_DIR/mariadb (kept between runs), starts mariadbd
# on 127.0.0.1:$ASOF_MYSQL_PORT (default 33306, or the next free port if that one
# is taken and the variable is unset), with a row binlog for CDC tests, and makes
# user asof/asof (all privileges) and database trs. No-op if already running.
#
# Server settings worth knowing: --skip-name-resolve (so 'asof'@'%' matches TCP
# logins from 127.0.0.1), row binlog (--log-bin --binlog-format=ROW --server-id=1),
# utf8mb4, time zone +00:00, innodb_flush_log_at_trx_commit=2 (test server: a
# killed mariadbd keeps committed rows; only an OS crash could lose the last second).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=mariadb
SVC_MATCH=mariadbd
SVC_PORT_VAR=ASOF_MYSQL_PORT
SVC_PORT_DEFAULT=33306
SVC_START_TIMEOUT=30

MDB_DIR=$ASOF_SERVICES_DIR/mariadb
MDB_DATA=$MDB_DIR/data
MDB_BINLOG_DIR=$MDB_DIR/binlog
MDB_SOCKET=$MDB_DIR/mariadb.sock
# A Unix socket path must fit in 107 bytes; fall back to /tmp for deep checkouts.
if ((${#MDB_SOCKET} > 100)); then
  MDB_SOCKET=/tmp/asof-mariadb-$(printf '%s' "$ASOF_SERVICES_DIR" | md5sum | cut -c1-12).sock
fi

find_bin() { # first of the names found on PATH or in the sbin dirs
  local name d
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for d in /usr/sbin /sbin /usr/local/sbin; do
      [[ -x $d/$name ]] && { echo "$d/$name"; return 0; }
    done
  done
  return 1
}

svc_install() {
  if ! find_bin mariadbd >/dev/null || ! find_bin mariadb-admin mysqladmin >/dev/null; then
    apt_install mariadb-server mariadb-client
  fi
  MARIADBD=$(find_bin mariadbd mysqld) || die "mariadbd not found after installing mariadb-server"
  MDB_ADMIN=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"
  MDB_CLIENT=$(find_bin mariadb mysql) || die "mariadb client not found"
  MDB_INSTALL_DB=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
}

# Until installed, these are `false` (so status reports "stopped"/"not answering").
MDB_ADMIN=$(find_bin mariadb-admin mysqladmin || echo false)
MDB_CLIENT=$(find_bin mariadb mysql || echo false)

init_datadir() {
  # global_priv is the last system table mariadb-install-db creates; without it
  # the dir is a half-finished init (e.g. interrupted): start over.
  if [[ -f $MDB_DATA/mysql/global_priv.frm ]]; then return 0; fi
  rm -rf "$MDB_DATA"
  mkdir -p "$MDB_DATA" "$MDB_BINLOG_DIR"
  local init_log=$MDB_DIR/install-db.log
  if ! "$MDB_INSTALL_DB" --no-defaults --user=root --datadir="$MDB_DATA" \
    --auth-root-authentication-method=socket --skip-test-db \
    >"$init_log" 2>&1; then
    echo "$SVC: error: mariadb-install-db failed" >&2
    { grep -m 5 ERROR "$init_log" || tail -n 20 "$init_log"; } >&2
    rm -rf "$MDB_DATA"
    exit 1
  fi
}

svc_spawn() {
  local port=$1
  mkdir -p "$MDB_DIR" "$MDB_BINLOG_DIR"
  init_datadir
  rm -f "$MDB_SOCKET" "$MDB_SOCKET.lock"
  svc_spawn_detached "$MARIADBD" --no-defaults --user=root \
    --datadir="$MDB_DATA" --socket="$MDB_SOCKET" --pid-file="$MDB_DIR/mariadbd.pid" \
    --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
    --log-bin="$MDB_BINLOG_DIR/mariadb-bin" --binlog-format=ROW --server-id=1 \
    --binlog-expire-logs-seconds=172800 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --default-time-zone=+00:00 \
    --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
    --max-connections=300
}

svc_ready() {
  "$MDB_ADMIN" --no-defaults --socket="$MDB_SOCKET" --user=root --connect-timeout=2 ping >/dev/null 2>&1
}

svc_after_ready() {
  local port=$1
  "$MDB_CLIENT" --no-defaults --socket="$MDB_SOCKET" --user=root >>"$LOG" 2>&1 <<'SQL' || return 1
DROP USER IF EXISTS ''@'localhost';
DROP USER IF EXISTS ''@'%';
CREATE USER IF NOT EXISTS 'asof'@'%' IDENTIFIED BY 'asof';
CREATE USER IF NOT EXISTS 'asof'@'localhost' IDENTIFIED BY 'asof';
ALTER USER 'asof'@'%' IDENTIFIED BY 'asof';
ALTER USER 'asof'@'localhost' IDENTIFIED BY 'asof';
GRANT ALL PRIVILEGES ON *.* TO 'asof'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'asof'@'localhost' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS trs;
SQL
  # The login the tests use, over TCP.
  "$MDB_CLIENT" --no-defaults --protocol=TCP --host=127.0.0.1 --port="$port" \
    --user=asof --password=asof --database=trs -e 'SELECT 1' >/dev/null 2>>"$LOG"
}

svc_find_orphan() {
  # Pure bash (no grep): a child grep would see its own argv and match itself.
  local f arg is_ours is_mariadbd port
  for f in /proc/[0-9]*/cmdline; do
    is_ours=0 is_mariadbd=0 port=""
    while IFS= read -r -d '' arg; do
      case $arg in
        "--datadir=$MDB_DATA") is_ours=1 ;;
        --port=*) port=${arg#--port=} ;;
        *mariadbd) is_mariadbd=1 ;;
      esac
    done 2>/dev/null <"$f" || true
    if ((is_ours && is_mariadbd)) && [[ -n $port ]]; then
      f=${f#/proc/}
      echo "${f%/cmdline} $port"
      return 0
    fi
  done
  return 1
}

svc_describe() { echo "socket $MDB_SOCKET"; }

svc_env() {
  local port=$1
  echo "ASOF_MYSQL_URL=mysql://asof:asof@127.0.0.1:$port/trs"
  # The variable the asof CLI reads (--source); ASOF_MYSQL_* are for tests and scripts.
  echo "ASOF_SOURCE_URL=mysql://asof:asof@127.0.0.1:$port/trs"
  echo "ASOF_MYSQL_HOST=127.0.0.1"
  echo "ASOF_MYSQL_PORT=$port"
  echo "ASOF_MYSQL_USER=asof"
  echo "ASOF_MYSQL_PASSWORD=asof"
  echo "ASOF_MYSQL_DATABASE=trs"
  echo "ASOF_MYSQL_SOCKET=$MDB_SOCKET"
}

svc_main "$@"
