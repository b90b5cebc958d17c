#!/usr/bin/env bash
# Amazon's DynamoDB Local for asof's tests.
#
#   scripts/services/dynamodb-local.sh start|stop|restart|status|install|env
#
# The jar comes from the npm package amplify-dynamodb-simulator (pinned below),
# fetched once with `npm pack` into $ASOF_CACHE_DIR/dynamodb-local/<version>
# (default ~/.cache/asof/...) and reused. Needs Java 17 (installed with apt
# if `java` is missing). Runs in memory (-inMemory): every start is empty.
# Port: $ASOF_DYNAMODB_PORT, default 38000 (or the next free one if that is
# taken and the variable is unset).
#
# Note: DynamoDB Local has no option to bind one address; it listens on all
# interfaces. Clients use 127.0.0.1.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=dynamodb-local
SVC_MATCH=DynamoDBLocal.jar
SVC_PORT_VAR=ASOF_DYNAMODB_PORT
SVC_PORT_DEFAULT=38000
SVC_START_TIMEOUT=60

DDB_PKG_VERSION=${ASOF_DYNAMODB_SIMULATOR_VERSION:-2.9.30}
DDB_CACHE=$ASOF_CACHE_DIR/dynamodb-local/$DDB_PKG_VERSION
DDB_EMULATOR=$DDB_CACHE/package/emulator

svc_install() {
  if ! command -v java >/dev/null 2>&1; then apt_install openjdk-17-jre-headless; fi
  if ! command -v curl >/dev/null 2>&1; then apt_install curl; fi
  [[ -f $DDB_CACHE/.complete ]] && return 0
  command -v npm >/dev/null || die "npm not found"
  mkdir -p "$ASOF_CACHE_DIR/dynamodb-local"
  local tmp
  tmp=$(mktemp -d "$ASOF_CACHE_DIR/dynamodb-local/.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  if ! (cd "$tmp" && npm pack --silent "amplify-dynamodb-simulator@$DDB_PKG_VERSION" >pack.log 2>&1); then
    grep -v 'Unknown user config' "$tmp/pack.log" | tail -n 20 >&2
    die "npm pack amplify-dynamodb-simulator@$DDB_PKG_VERSION failed"
  fi
  tar -xzf "$tmp"/amplify-dynamodb-simulator-*.tgz -C "$tmp" || die "could not extract the package"
  rm -f "$tmp"/*.tgz
  [[ -f $tmp/package/emulator/DynamoDBLocal.jar ]] || die "DynamoDBLocal.jar missing from amplify-dynamodb-simulator@$DDB_PKG_VERSION"
  touch "$tmp/.complete"
  rm -rf "$DDB_CACHE"
  mv "$tmp" "$DDB_CACHE"
  chmod 755 "$DDB_CACHE"
  trap - EXIT
}

svc_spawn() {
  local port=$1
  cd "$DDB_EMULATOR"
  svc_spawn_detached java -Xmx512m -Djava.library.path=./DynamoDBLocal_lib \
    -jar DynamoDBLocal.jar -inMemory -disableTelemetry -port "$port"
  cd - >/dev/null
}

# A real (unsigned but well-formed) ListTables call; DynamoDB Local answers 200.
svc_ready() {
  local port=$1 code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -X POST \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=asof/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0000' \
    -H 'X-Amz-Date: 20240101T000000Z' \
    --data '{}' "http://127.0.0.1:$port/" 2>/dev/null) || return 1
  [[ $code == 200 ]]
}

svc_env() {
  echo "ASOF_DYNAMODB_ENDPOINT=http://127.0.0.1:$1"
}

svc_main "$@"
