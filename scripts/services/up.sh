#!/usr/bin/env bash
# Start the real services asof's tests use, then write $ASOF_SERVICES_DIR/env.
#
#   scripts/services/up.sh [mariadb] [dynamodb-local] [s3]     (default: all three)
#
# Idempotent: services already running are kept. Installs what is missing (apt for
# MariaDB, npm packages into ~/.cache/asof). Services start in parallel. Prints one
# line per service; on a failure, that service's error and the tail of its log,
# and exits 1. Then load the endpoints with:  set -a; . .services/env; set +a
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SVC=up

ALL=(mariadb dynamodb-local s3)
if (($# == 0)); then set -- "${ALL[@]}"; fi
for s in "$@"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${ALL[*]})"
done
mkdir -p "$ASOF_SERVICES_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A pid_of
for s in "$@"; do
  (
    script=$SERVICES_SCRIPT_DIR/$s.sh
    t0=$(now)
    "$script" install
    t_install=$(elapsed_since "$t0")
    t1=$(now)
    ASOF_SERVICES_REPORT=$work/$s.how "$script" start
    t_start=$(elapsed_since "$t1")
    echo "$(<"$work/$s.how") $t_install $t_start" >"$work/$s.res"
  ) >"$work/$s.out" 2>&1 &
  pid_of[$s]=$!
done

failed=()
for s in "$@"; do
  if ! wait "${pid_of[$s]}"; then failed+=("$s"); fi
done

for s in "$@"; do
  if [[ " ${failed[*]} " == *" $s "* ]]; then
    printf '%-15s FAILED\n' "$s"
    sed 's/^/  /' "$work/$s.out" >&2
    continue
  fi
  read -r was t_install t_start <"$work/$s.res"
  endpoint=$("$SERVICES_SCRIPT_DIR/$s.sh" env) # first line is the endpoint (no head: SIGPIPE)
  endpoint=${endpoint%%$'\n'*}
  endpoint=${endpoint#*=}
  if [[ $was == running ]]; then
    what="already running"
  else
    what="started in ${t_start}s"
    # install is a cache check when nothing is missing; show it when it did work
    if awk -v t="$t_install" 'BEGIN { exit !(t >= 0.5) }'; then what+=" (install ${t_install}s)"; fi
  fi
  printf '%-15s %-34s %s\n' "$s" "$what" "$endpoint"
done

# The env file lists every service that is up now, requested or not.
write_env_file

if ((${#failed[@]})); then
  echo "up: error: failed to start: ${failed[*]}" >&2
  exit 1
fi
