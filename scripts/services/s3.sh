#!/usr/bin/env bash
# An S3-compatible server on loopback for asof's tests: fauxqs 1.9.2 (npm; 2.x
# needs Node 22.5+), started through s3-server/server.mjs so it binds 127.0.0.1.
#
#   scripts/services/s3.sh start|stop|restart|status|install|env
#
# Installed with `npm ci` from s3-server/package-lock.json (pinned: fauxqs's own
# dependencies are ^ranges) into $ASOF_CACHE_DIR/fauxqs/<lockfile hash>, never
# into the workspace, and reused. Port: $ASOF_S3_PORT, default 39000 (or the next
# free one if that is taken and the variable is unset). Data lives in memory:
# every start is empty except for the default bucket, $ASOF_S3_BUCKET (default
# `asof`), which start creates (also on a server that is already running), so
# `--root s3://asof/<prefix>` works at once.
#
# Checked by hand with @aws-sdk/client-s3 3.x (forcePathStyle: true, region
# us-east-1, any credentials). What to know:
#   - CONDITIONAL WRITES ARE NOT ENFORCED. PutObject with If-None-Match: * on an
#     existing key overwrites it and answers 200 (AWS S3 answers 412), and
#     If-Match with a wrong ETag also overwrites. Never rely on put-if-absent
#     here; coordinate commits elsewhere (e.g. DynamoDB conditional puts) or
#     detect the missing guarantee. (GetObject honours If-Match / If-None-Match
#     with 412 / 304; HeadObject ignores both.)
#   - One request body is capped at 11 MiB (Fastify bodyLimit inside fauxqs):
#     a single PutObject or UploadPart above that fails with 413. Write larger
#     objects as multipart uploads with parts of at most 11 MiB.
#   - The SDK's default checksums (CRC32, aws-chunked streaming bodies) work;
#     no requestChecksumCalculation option is needed. Bodies are stored intact.
#   - Work: CreateBucket (idempotent), Put/Get/Head, Range gets, ListObjectsV2
#     (prefix, delimiter, pagination), multipart (lib-storage Upload) with
#     S3-style "-N" ETags, CopyObject, DeleteObject(s), NoSuchKey/NoSuchBucket
#     errors. No versioning, tagging or ACLs.
#   - The SDK (3.1169) warns on Node 20 that releases after early January 2027
#     need Node 22; harmless.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SVC=s3
SVC_MATCH=s3-server/server.mjs
SVC_PORT_VAR=ASOF_S3_PORT
SVC_PORT_DEFAULT=39000
SVC_START_TIMEOUT=30

S3_BUCKET=${ASOF_S3_BUCKET:-asof}
[[ $S3_BUCKET =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "ASOF_S3_BUCKET=$S3_BUCKET is not an S3 bucket name"
S3_SRC=$SERVICES_SCRIPT_DIR/s3-server
S3_LOCK_HASH=$(cat "$S3_SRC/package.json" "$S3_SRC/package-lock.json" | sha256sum | cut -c1-12)
S3_CACHE=$ASOF_CACHE_DIR/fauxqs/$S3_LOCK_HASH

svc_install() {
  if ! command -v curl >/dev/null 2>&1; then apt_install curl; fi
  [[ -f $S3_CACHE/.complete ]] && return 0
  command -v npm >/dev/null || die "npm not found"
  mkdir -p "$ASOF_CACHE_DIR/fauxqs"
  local tmp
  tmp=$(mktemp -d "$ASOF_CACHE_DIR/fauxqs/.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  cp "$S3_SRC/package.json" "$S3_SRC/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --engine-strict=false \
    --ignore-scripts >install.log 2>&1); then
    grep -v 'Unknown user config' "$tmp/install.log" | tail -n 20 >&2
    die "npm ci of fauxqs (scripts/services/s3-server) failed"
  fi
  [[ -f $tmp/node_modules/fauxqs/dist/app.js ]] || die "fauxqs missing after npm ci"
  touch "$tmp/.complete"
  rm -rf "$S3_CACHE"
  mv "$tmp" "$S3_CACHE"
  chmod 755 "$S3_CACHE"
  trap - EXIT
}

svc_spawn() {
  local port=$1
  ASOF_S3_PORT=$port svc_spawn_detached node "$S3_SRC/server.mjs" "$S3_CACHE"
}

# ListBuckets, unsigned: fauxqs answers 200 with XML.
svc_ready() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null) || return 1
  [[ $code == 200 ]]
}

# CreateBucket, unsigned (fauxqs accepts it, and answers 200 for a bucket that exists).
svc_ensure() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X PUT "http://127.0.0.1:$1/$S3_BUCKET" 2>>"$LOG") || return 1
  [[ $code == 200 ]] || { echo "$SVC: CreateBucket $S3_BUCKET answered HTTP $code" >>"$LOG"; return 1; }
}

svc_env() {
  echo "ASOF_S3_ENDPOINT=http://127.0.0.1:$1"
  echo "ASOF_S3_BUCKET=$S3_BUCKET"
}

svc_main "$@"
