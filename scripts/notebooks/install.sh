#!/usr/bin/env bash
# Installs what runs asof's notebooks headless in a real Jupyter kernel, and
# registers the kernel:
#
#   scripts/notebooks/install.sh        # prints ASOF_JUPYTER_PYTHON=… and ASOF_TSLAB=… on success
#
#   - Debian's python3-nbconvert python3-jupyter-client python3-ipykernel
#     python3-nbclient (apt, about 30 s on a fresh machine), used through
#     /usr/bin/python3 (never a pyenv or venv python3 that lacks them);
#   - tslab 1.0.22, the TypeScript kernel, with `npm ci` from
#     tslab/package-lock.json into $ASOF_CACHE_DIR/tslab/<lockfile hash>
#     (zeromq's install script is skipped: its prebuilt binary ships in the
#     npm package and loads);
#   - the kernel spec `tslab` in the user's Jupyter data dir (what
#     `tslab install --user` writes), naming that tslab by absolute path, so
#     JupyterLab, VS Code and nbconvert find it.
#
# Idempotent and fast when everything is there (a few checks, no network).
# Safe to run from several processes at once (one lock). Exits 1 with a
# one-line reason on stderr (and the tail of a log) when something fails.
set -euo pipefail
# shellcheck source=../services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../services/lib.sh"
SVC=notebooks

NOTEBOOKS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
PYTHON=/usr/bin/python3
TSLAB_SRC=$NOTEBOOKS_DIR/tslab
TSLAB_HASH=$(cat "$TSLAB_SRC/package.json" "$TSLAB_SRC/package-lock.json" | sha256sum | cut -c1-12)
TSLAB_CACHE=$ASOF_CACHE_DIR/tslab/$TSLAB_HASH
TSLAB_BIN=$TSLAB_CACHE/node_modules/tslab/bin/tslab

python_has_jupyter() {
  [[ -x $PYTHON ]] && "$PYTHON" -c 'import nbconvert, nbclient, ipykernel, jupyter_client' >/dev/null 2>&1
}

install_python() {
  python_has_jupyter && return 0
  apt_install python3 python3-nbconvert python3-jupyter-client python3-ipykernel python3-nbclient
  python_has_jupyter || die "$PYTHON still cannot import nbconvert, nbclient, ipykernel and jupyter_client after apt-get install"
}

install_tslab() {
  [[ -f $TSLAB_CACHE/.complete ]] && return 0
  command -v npm >/dev/null || die "npm not found"
  mkdir -p "$ASOF_CACHE_DIR/tslab"
  local tmp
  tmp=$(mktemp -d "$ASOF_CACHE_DIR/tslab/.tmp.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  cp "$TSLAB_SRC/package.json" "$TSLAB_SRC/package-lock.json" "$tmp/"
  if ! (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts >install.log 2>&1); then
    grep -v 'Unknown user config\|Unknown project config' "$tmp/install.log" | tail -n 20 >&2
    die "npm ci of tslab (scripts/notebooks/tslab) failed"
  fi
  [[ -f $tmp/node_modules/tslab/bin/tslab ]] || die "tslab missing after npm ci"
  # The kernel talks to Jupyter over ZeroMQ: its native binding must load here.
  (cd "$tmp" && node -e "require('zeromq')") >"$tmp/zeromq.log" 2>&1 ||
    { tail -n 20 "$tmp/zeromq.log" >&2; die "tslab's zeromq binding does not load on this machine"; }
  touch "$tmp/.complete"
  rm -rf "$TSLAB_CACHE"
  mv "$tmp" "$TSLAB_CACHE"
  chmod 755 "$TSLAB_CACHE"
  trap - EXIT
}

# The argv[0] of the kernel spec Jupyter resolves for `tslab` (empty if none).
registered_kernel() {
  "$PYTHON" -c '
import sys
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
try:
    print(KernelSpecManager().get_kernel_spec("tslab").argv[0])
except NoSuchKernel:
    print("")
' 2>/dev/null
}

register_kernel() {
  [[ $(registered_kernel) == "$TSLAB_BIN" ]] && return 0
  local log=$ASOF_SERVICES_DIR/notebooks-kernel.log
  "$TSLAB_BIN" install --python="$PYTHON" --binary="$TSLAB_BIN" --user >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "tslab install --user failed"; }
  local found
  found=$(registered_kernel)
  [[ $found == "$TSLAB_BIN" ]] ||
    die "registered the tslab kernel for this user, but Jupyter resolves 'tslab' to ${found:-nothing} (a kernel spec on JUPYTER_PATH takes precedence?)"
}

mkdir -p "$ASOF_CACHE_DIR"
exec 7>"$ASOF_CACHE_DIR/notebooks.lock"
flock -w 900 7 || die "timed out waiting for $ASOF_CACHE_DIR/notebooks.lock"
install_python
install_tslab
register_kernel
echo "ASOF_JUPYTER_PYTHON=$PYTHON"
echo "ASOF_TSLAB=$TSLAB_BIN"
