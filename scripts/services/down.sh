#!/usr/bin/env bash
# Stop asof's test services (default: all) and remove $ASOF_SERVICES_DIR/env.
#   scripts/services/down.sh [mariadb] [dynamodb-local] [s3]
# Quiet; idempotent; data dirs (MariaDB's) and download caches are kept.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SVC=down

ALL=(mariadb dynamodb-local s3)
if (($# == 0)); then set -- "${ALL[@]}"; fi
for s in "$@"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${ALL[*]})"
done

pids=()
for s in "$@"; do
  "$SERVICES_SCRIPT_DIR/$s.sh" stop &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done

if (($# == ${#ALL[@]})); then
  rm -f "$ASOF_SERVICES_DIR/env"
elif [[ -f $ASOF_SERVICES_DIR/env ]]; then
  write_env_file # keep it in step with what is still up
fi
exit "$rc"
