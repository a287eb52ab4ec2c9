#!/usr/bin/env bash
# The shape the folders promise, checked: no import cycles between source files, SQL only in the
# stores, routes that only the server's entry point mounts, and request bodies only from the
# contract's types. Prints each rule with its verdict; fails if any is broken.
set -uo pipefail
cd "$(dirname "$0")/.."
broken=0
rule() {
  local name=$1 offenders=$2
  if [[ -z "$offenders" ]]; then
    echo "ok: $name"
  else
    echo "BROKEN: $name"
    echo "$offenders" | sed 's/^/  /'
    broken=1
  fi
}
sql='\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE TABLE)\b'

python3 scripts/import-cycles.py api/src core/src engine/src server/src bindings/src demo/src tests/src || broken=1
rule "core: SQL only under core/src/store/" "$(grep -rlE "$sql" core/src | grep -v '^core/src/store/')"
rule "server: SQL only under server/src/store/" "$(grep -rlE "$sql" server/src | grep -v '^server/src/store/')"
rule "server: routes/ imported only by the entry points (lib.rs, serve.rs)" \
  "$(grep -rlE 'crate::routes|highlights_server::routes' server/src | grep -vE '^server/src/(routes/|lib.rs|serve.rs)')"
rule "core: no request built with json!" "$(grep -rln 'json!' core/src)"
rule "core and server: paths from highlights_api::paths, not spelled out" \
  "$(grep -rnE '"/v1/' core/src server/src/routes | grep -v 'Idempotency' | grep -vE '"(PATCH|POST|GET|DELETE) /v1/')"
exit $broken
