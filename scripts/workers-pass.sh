#!/bin/sh
# The reconcile pass at scale in workerd (test/workers/reconcile-scale.test.ts) over a library of
# $1 assets (default 100,000) plus a tenth as many unseen objects; CI runs the same test over
# 5,000. Prints one JSON line: invocations, the worst invocation's D1 statements and subrequests,
# the cron's and an ingest batch's, and the seconds it took.
set -eu
cd "$(dirname "$0")/.."
WORKERS_PASS_ASSETS="${1:-100000}" exec npx vitest run --project workers test/workers/reconcile-scale.test.ts
