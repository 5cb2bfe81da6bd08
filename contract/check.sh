#!/usr/bin/env bash
# Builds both generated clients from the committed contract, with no edits, and fails on any
# generator warning, on a type error in the small clients that use them, or on a lint error:
#   (a) openapi-typescript + openapi-fetch, compiled with tsc --strict (contract/ts/client.ts);
#   (b) openapi-python-client, checked with mypy --strict (contract/py/client_check.py);
#   (c) Redocly CLI's recommended rules (contract/redocly.yaml).
# The tools are pinned: contract/ts/package-lock.json, and the versions below.
set -euo pipefail
cd "$(dirname "$0")"
CONTRACT="$(cd .. && pwd)/openapi/openapi.json"
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1
MYPY_VERSION=1.18.2
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

no_warnings() {  # name, log file
  if grep -Eiq 'warn|⚠|error' "$2"; then
    cat "$2"
    echo "contract check: $1 printed warnings" >&2
    exit 1
  fi
}

echo "== (a) TypeScript: openapi-typescript + openapi-fetch, tsc --strict"
(cd ts && npm ci --no-audit --no-fund --loglevel=error)
(cd ts && npx --no-install openapi-typescript "$CONTRACT" -o generated/schema.d.ts) >"$WORK/ts.log" 2>&1 \
  || { cat "$WORK/ts.log"; exit 1; }
no_warnings openapi-typescript "$WORK/ts.log"
tail -n 1 "$WORK/ts.log"
(cd ts && npx --no-install tsc --strict -p tsconfig.json)
echo "tsc --strict: no errors"

echo "== (b) Python: openapi-python-client, mypy --strict"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check \
  "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION" "mypy==$MYPY_VERSION" 2>"$WORK/pip.log" \
  || { cat "$WORK/pip.log"; exit 1; }
mkdir -p "$WORK/py"
"$WORK/venv/bin/openapi-python-client" generate --path "$CONTRACT" --config py/config.yaml \
  --meta none --output-path "$WORK/py/kinerja_api_client" >"$WORK/py.log" 2>&1 \
  || { cat "$WORK/py.log"; exit 1; }
no_warnings openapi-python-client "$WORK/py.log"
tail -n 1 "$WORK/py.log"
cp py/client_check.py "$WORK/py/"
(cd "$WORK/py" && "$WORK/venv/bin/mypy" --strict --no-incremental .)

echo "== (c) Redocly CLI lint"
(cd ts && npx --no-install redocly lint --config ../redocly.yaml "$CONTRACT") >"$WORK/lint.log" 2>&1 \
  || { cat "$WORK/lint.log"; exit 1; }
tail -n 3 "$WORK/lint.log"
echo "contract check: passed"
