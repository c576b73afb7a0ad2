#!/bin/sh
# The image's entrypoint: exports each OpenFaaS secret as an environment variable, then runs the
# command it is given (`fwatchdog` by default, or `toolflow …`).
#
# OpenFaaS mounts a function's secrets as files, /var/openfaas/secrets/<name> (docs.openfaas.com,
# "Secrets"); toolflow reads its configuration from the environment only. A secret named
# `toolflow-database-url` becomes TOOLFLOW_DATABASE_URL (upper case, "-" -> "_"); only names that
# then match TOOLFLOW_* or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are exported, so an unrelated
# secret never lands in the environment. A value is read as data (never evaluated); one trailing
# newline, as `echo … | faas-cli secret create` leaves, is dropped. A variable already set wins
# over its secret. Where the folder does not exist (Knative, docker run), nothing is exported.
#
# Usage: with-secrets.sh [--dir DIR] COMMAND [ARG…]   (--dir: for tests; default /var/openfaas/secrets)
set -eu
dir=/var/openfaas/secrets
if [ "${1:-}" = "--dir" ]; then
  dir=$2
  shift 2
fi
if [ "$#" -eq 0 ]; then
  echo "with-secrets.sh: give the command to run, e.g. with-secrets.sh toolflow serve" >&2
  exit 2
fi
if [ -d "$dir" ]; then
  for file in "$dir"/*; do
    [ -f "$file" ] || continue
    name=$(basename "$file" | tr 'a-z-' 'A-Z_')
    case "$name" in
      *[!A-Z0-9_]*) continue ;;
      TOOLFLOW_* | AWS_ACCESS_KEY_ID | AWS_SECRET_ACCESS_KEY) ;;
      *) continue ;;
    esac
    # Already set in the environment: the explicit value wins.
    if eval "[ -n \"\${$name+set}\" ]"; then continue; fi
    value=$(cat "$file"; printf x)
    value=${value%x}
    value=${value%"
"}
    export "$name=$value"
  done
fi
exec "$@"
