#!/bin/bash
# Runs tools/interop/mlflow_client_scenario.py with MLflow's own Python client (2.15.1 or 3.14, as unpacked by
# ../shared/reference-servers/install.sh) against a running server. Not part of `make check`.
# Usage: tools/interop/run-mlflow-client.sh 2|3 URL
set -euo pipefail
REF="${MLFLOW_REF:-$HOME/.cache/mlflow-ref}"
case "${1:-}" in
2) PYTHONPATH="$REF/mlflow-src:$REF/otel-site:$REF/qsp-site:$REF/stubs" ;;
3) PYTHONPATH="$REF/mlflow3-src:$REF/pydantic2-site:$REF/mlflow3-deps-site:$REF/otel3-site:$REF/qsp-site:$REF/stubs3" ;;
*) echo "usage: $0 2|3 URL" >&2; exit 2 ;;
esac
export PYTHONPATH MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
exec /usr/bin/python3 "$(dirname "$0")/mlflow_client_scenario.py" "$2"
