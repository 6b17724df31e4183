#!/usr/bin/env bash
# Linli's two commands (see README "Quick start"):
#   ./linli.sh demo   set up everything and serve the demo district at http://127.0.0.1:8000
#   ./linli.sh test   run the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)
# Both are idempotent: a second run reuses the virtual environment, database and demo data.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
export LINLI_VAR_DIR="${LINLI_VAR_DIR:-$ROOT/var}"
mkdir -p "$LINLI_VAR_DIR"

say() { printf '\033[1m%s\033[0m\n' "$*"; }
die() { printf 'linli: %s\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return
    fi
  done
  die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)."
}

# Create the virtual environment and install the pinned requirements, only when they changed.
ensure_venv() {
  local requirements=$1
  if [ ! -x "$PY" ]; then
    say "Creating the virtual environment in .venv"
    "$(find_python)" -m venv "$VENV" || die "could not create a virtual environment (on Debian/Ubuntu: apt-get install python3-venv)"
  fi
  local stamp="$VENV/.installed-$(basename "$requirements" .txt)"
  local digest
  digest=$(cat requirements*.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    say "Installing Python packages from $requirements"
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    echo "$digest" > "$stamp"
  fi
}

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
# PDF tests need Pango (WeasyPrint) and CJK fonts, from Debian too.
ensure_chromium() {
  local browser="${LINLI_CHROMIUM:-/usr/bin/chromium}"
  if [ -x "$browser" ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" &&
     ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0"; then
    return
  fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "Installing Chromium, Pango and CJK fonts from Debian for the browser and PDF tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk \
      libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
  else
    die "browser and PDF tests need: sudo apt-get install chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0"
  fi
}

port_in_use() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)
EOF
}

cmd_demo() {
  ensure_venv requirements.txt
  local port="${LINLI_PORT:-8000}"
  if port_in_use "$port"; then
    die "port $port is already in use: stop what runs there, or set LINLI_PORT"
  fi
  say "Preparing the database"
  "$PY" manage.py migrate --noinput -v 0
  "$PY" manage.py collectstatic --noinput -v 0
  "$PY" manage.py demo --scale "${LINLI_DEMO_SCALE:-small}"

  say "Starting the background worker and scheduler"
  "$PY" manage.py db_worker >"$LINLI_VAR_DIR/worker.log" 2>&1 &
  local worker=$!
  "$PY" manage.py run_scheduler >"$LINLI_VAR_DIR/scheduler.log" 2>&1 &
  local scheduler=$!
  trap 'kill $worker $scheduler 2>/dev/null; wait 2>/dev/null' EXIT INT TERM

  say "Linli is serving the demo district at http://127.0.0.1:$port  (Ctrl-C stops it)"
  say "Logs: $LINLI_VAR_DIR/worker.log, $LINLI_VAR_DIR/scheduler.log"
  "$VENV/bin/gunicorn" linli.wsgi --bind "127.0.0.1:$port" --workers "${LINLI_WEB_WORKERS:-2}" \
    --threads 4 --access-logfile - --log-level warning
}

cmd_test() {
  ensure_venv requirements-dev.txt
  ensure_chromium
  # The whole suite runs in one worker process per core; with arguments, exactly as given.
  if [ $# -eq 0 ]; then
    set -- -n "${LINLI_TEST_WORKERS:-auto}"
  fi
  "$VENV/bin/pytest" "$@"
}

case "${1:-}" in
  demo) shift; cmd_demo "$@" ;;
  test) shift; cmd_test "$@" ;;
  *) echo "usage: ./linli.sh demo | ./linli.sh test [pytest arguments]" >&2; exit 2 ;;
esac
