#!/usr/bin/env bash
# Linli's commands (see README "Quick start" and "Development"):
#   ./linli.sh demo        set up everything and serve the demo district at http://127.0.0.1:8000
#   ./linli.sh test        run the whole test suite (SQLite; set DATABASE_URL for PostgreSQL)
#   ./linli.sh dev-tools   only install the development tools (pytest, Playwright, ruff, Chromium)
# All are idempotent: a second run reuses the virtual environment, database and demo data.
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

# True when gunicorn could not bind 127.0.0.1:PORT. The probe binds exactly as gunicorn does, with
# SO_REUSEADDR: without it, the connections of a demo stopped a moment ago (in TIME_WAIT for about
# a minute) made a free port look taken.
port_in_use() {
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)
EOF
}

# A second run skips the preparation steps that would change nothing: even then, migrate took
# about 3 s, collectstatic 11 s and the demo command 2.5 s (2 to 4 times that on a busy machine).
# Each step records in $STAMPS what it was last done for, and is skipped while that still holds.
# Delete the directory to force them.
STAMPS="$LINLI_VAR_DIR/stamps"

# sha256 of the files found under the given paths (names and contents). `find` options may
# follow the paths, e.g. to pick the files.
digest() {
  find "$@" -print0 2>/dev/null | sort -z | xargs -0r sha256sum | sha256sum | cut -d' ' -f1
}

# True when the stamp named $1 holds $2.
stamped() {
  [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]
}

# What the demo's SQLite database holds, read without starting Django (40 ms; `manage.py migrate
# --check` alone takes 2.5 s): a digest of the migrations it has applied, then a digest of the
# demo data builders that have run on it ("none" when there is no such table or database).
# With DATABASE_URL there is no such cheap look into the database: it prints "unknown".
db_state() {
  if [ -n "${DATABASE_URL:-}" ]; then echo unknown; return; fi
  "$PY" - "$LINLI_VAR_DIR/linli.sqlite3" <<'EOF'
import hashlib, pathlib, sqlite3, sys
uri = pathlib.Path(sys.argv[1]).resolve().as_uri() + "?mode=ro"
queries = [
    "SELECT app, name FROM django_migrations ORDER BY app, name",
    "SELECT job, period FROM core_jobrun WHERE job LIKE 'demo.%' ORDER BY job, period",
]
state = []
for query in queries:
    try:
        rows = sqlite3.connect(uri, uri=True).execute(query).fetchall()
        state.append(hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    except sqlite3.Error:
        state.append("none")
print(*state)
EOF
}

# Run `manage.py COMMAND --noinput -v 0` (saying DOING), unless CAN_SKIP (a command) succeeds and
# the stamp COMMAND holds what `COMMAND_stamp` prints: then say SKIPPED instead. After a run the
# stamp takes what `COMMAND_stamp` prints then.
manage_unless_stamped() {
  local command=$1 can_skip=$2 skipped=$3 doing=$4
  if $can_skip && stamped "$command" "$("${command}_stamp")"; then
    say "$skipped"
    return
  fi
  say "$doing"
  "$PY" manage.py "$command" --noinput -v 0
  "${command}_stamp" >"$STAMPS/$command"
}

# Apply the migrations, unless the database holds what the last successful migrate left there
# and the migration files and packages are the same. (With DATABASE_URL: always.)
prepare_database() {
  manage_unless_stamped migrate no_database_url \
    "Database: no migrations to apply (skipped migrate)" "Preparing the database"
}
no_database_url() { [ -z "${DATABASE_URL:-}" ]; }
migrate_stamp() {
  echo "$(digest . -path ./.venv -prune -o -path ./var -prune -o -path '*/migrations/*.py' -type f)" \
    "$(sha256sum <requirements.txt) $(db_state | cut -d' ' -f1)"
}

# Collect the static files, unless their sources (static/, the installed packages, the settings
# that choose the storage) are unchanged since the last collectstatic into this var directory.
prepare_static() {
  manage_unless_stamped collectstatic static_collected \
    "Static files: unchanged (skipped collectstatic)" "Collecting the static files"
}
static_collected() { [ -d "$LINLI_VAR_DIR/static" ]; }
collectstatic_stamp() {
  echo "$(digest static linli/settings.py -type f) $(sha256sum <requirements.txt)" \
    "debug=${LINLI_DEBUG:-}"
}

# Build the demo district (manage.py demo does nothing when it exists, except add the data of
# modules that have none yet, and prints the logins). Skipped when the code is unchanged and the
# database holds the same demo as after the last run: the logins that run printed are shown.
prepare_demo() {
  local scale="${LINLI_DEMO_SCALE:-small}" code
  code="$(digest . -path ./.venv -prune -o -path ./var -prune -o -path '*/tests' -prune \
    -o -name '*.py' -type f) scale=$scale"
  if [ -z "${DATABASE_URL:-}" ] && [ -f "$STAMPS/demo-logins.txt" ] &&
     stamped demo "$code $(db_state)"; then
    say "Demo district: already built, no new module data (skipped manage.py demo)"
    cat "$STAMPS/demo-logins.txt"
    return
  fi
  "$PY" manage.py demo --scale "$scale" --logins-file "$STAMPS/demo-logins.txt"
  echo "$code $(db_state)" >"$STAMPS/demo"
}

# The demo's background processes. Globals on purpose: the traps that stop them may run after
# cmd_demo has returned, when its local variables are gone (the old trap failed on exactly that).
WEB_PID="" WORKER_PID="" SCHEDULER_PID=""
STOP_SECONDS=3 # how long they get to stop on their own before they are killed

# Milliseconds since the epoch (bash's EPOCHREALTIME has microseconds, with a locale's "." or ",").
now_ms() {
  local us=${EPOCHREALTIME/[.,]/}
  echo $((us / 1000))
}

# True while process $1 runs. (`kill -0` would also be true for a process that has exited but
# that bash has not reaped yet, which here took up to 3 s.)
running() {
  [ -e "/proc/$1" ] && ! grep -qs '^State:.*Z' "/proc/$1/status"
}

# Stop gunicorn, the worker and the scheduler: ask, wait up to $STOP_SECONDS, then kill.
# gunicorn runs in a process group of its own (see cmd_demo), so a Ctrl-C reaches it only from
# here: INT is its quick shutdown. It also gets TERM, which ends it while it is still loading
# Django and ignores INT (see cmd_demo). The worker and the scheduler get TERM, besides the
# terminal's INT: two signals make db_worker abandon a task in progress (recorded as failed)
# rather than finish it.
stop_demo() {
  local pids=() pid alive=""
  for pid in "$WEB_PID" "$WORKER_PID" "$SCHEDULER_PID"; do
    if [ -n "$pid" ] && running "$pid"; then pids+=("$pid"); fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  say "Stopping Linli"
  if [ -n "$WEB_PID" ]; then kill -INT "$WEB_PID" && kill -TERM "$WEB_PID"; fi 2>/dev/null || true
  kill -TERM ${WORKER_PID:+"$WORKER_PID"} ${SCHEDULER_PID:+"$SCHEDULER_PID"} 2>/dev/null || true
  local deadline=$(($(now_ms) + STOP_SECONDS * 1000))
  while [ "$(now_ms)" -lt "$deadline" ]; do
    alive=""
    for pid in "${pids[@]}"; do
      if running "$pid"; then alive=1; fi
    done
    [ -n "$alive" ] || break
    sleep 0.1
  done
  if [ -n "$alive" ]; then
    # Kill gunicorn's whole group at once, arbiter and web workers: an arbiter that outlived its
    # workers would report them as "Perhaps out of memory?". (Its own graceful timeout, 30 s, is
    # longer than ours, so it never kills them first.)
    # Its stderr goes to /dev/null until they are reaped: bash would report each as "Killed".
    say "Not stopped after $STOP_SECONDS s: killing what is left"
    {
      if [ -n "$WEB_PID" ]; then kill -KILL -- "-$WEB_PID"; fi
      kill -KILL ${WORKER_PID:+"$WORKER_PID"} ${SCHEDULER_PID:+"$SCHEDULER_PID"}
      wait
    } 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  WEB_PID="" WORKER_PID="" SCHEDULER_PID=""
  say "Linli stopped"
}

# Ctrl-C (INT), TERM or a closed terminal (HUP): stop everything and exit as that signal does.
on_signal() {
  trap - EXIT
  stop_demo
  exit "$1"
}

# Python that runs `manage.py ARGS` and then ends the process at once, for the worker and the
# scheduler: once either command has returned (its work committed, its logs written), tearing the
# interpreter down took them 2.5 to 8 s of a busy machine's CPU, for nothing (0.1 s without).
MANAGE_THEN_EXIT='import os, runpy, sys
sys.argv = ["manage.py", *sys.argv[1:]]
try:
    runpy.run_path("manage.py", run_name="__main__")
    status = 0
except SystemExit as stop:
    status = stop.code if isinstance(stop.code, int) else stop.code is not None
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)'

# The settings gunicorn reads besides its command line: hooks, for a quicker start and stop.
write_gunicorn_config() {
  cat >"$1" <<'EOF'
# gunicorn hooks for ./linli.sh demo, which writes this file on every start.
import os
import runpy

# The settings every Linli web server uses (the access log format that keeps queries out); the
# demo starts gunicorn in the project folder.
globals().update(runpy.run_path(os.path.join(os.getcwd(), "gunicorn.conf.py")))


def on_starting(server):
    # With --preload, Django is set up before the web workers fork. Import the URLconf (every
    # app's views and API) then too: once, instead of in each worker's first request. (Still
    # before gunicorn handles signals: a TERM meanwhile ends it at once.)
    from django.urls import get_resolver

    get_resolver().url_patterns


# Told to quit at once (gunicorn got INT), a web worker would still tear its Python interpreter
# down, and so would gunicorn itself once its workers are gone: 1 to 3 s of CPU each on a busy
# machine, for nothing. Both end right away instead. (gunicorn has logged why it stops by then.)
def worker_int(worker):
    os._exit(0)


def on_exit(server):
    os._exit(0)
EOF
}

# Wait until the demo answers on port $1, or gunicorn (pid $2) has exited (status 1).
wait_until_serving() {
  "$PY" - "$1" "$2" <<'EOF'
import os, sys, time, urllib.error, urllib.request
port, pid = sys.argv[1], sys.argv[2]
while os.path.exists(f"/proc/{pid}"):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)  # an answer all the same
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

cmd_demo() {
  trap stop_demo EXIT
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
  trap 'on_signal 129' HUP
  ensure_venv requirements.txt
  # The demo's published accounts sign in with the password alone; a deployment asks staff for an
  # authenticator code too (README: LINLI_STAFF_SECOND_FACTOR).
  export LINLI_STAFF_SECOND_FACTOR="${LINLI_STAFF_SECOND_FACTOR:-0}"
  local port="${LINLI_PORT:-8000}"
  if port_in_use "$port"; then
    die "port $port is already in use: stop what runs there, or set LINLI_PORT"
  fi
  mkdir -p "$STAMPS"
  prepare_database
  prepare_static
  prepare_demo

  say "Starting the web server"
  # gunicorn runs in the background, in a process group of its own (setsid), and the script
  # waits for it: a Ctrl-C then interrupts the wait at once and stop_demo shuts everything down.
  # (With gunicorn in the foreground, the trap would run only after gunicorn had exited by
  # itself.) It ignores INT until it sets its own signal handlers, so that stopping it while it
  # still loads Django prints no KeyboardInterrupt traceback. --preload sets Django up once,
  # before the web workers fork, instead of once in each of them. No control socket: its default
  # path is shared by every gunicorn of this user.
  write_gunicorn_config "$LINLI_VAR_DIR/gunicorn-demo.py"
  (
    trap '' INT
    exec setsid "$VENV/bin/gunicorn" linli.wsgi --config "$LINLI_VAR_DIR/gunicorn-demo.py" \
      --bind "127.0.0.1:$port" --preload \
      --workers "${LINLI_WEB_WORKERS:-2}" --threads 4 --no-control-socket \
      --access-logfile - --log-level warning
  ) &
  WEB_PID=$!
  # The worker and the scheduler start once the web server answers: on a busy 2-core machine,
  # starting all three at once made the first answer come 1 to 4 s later. The check ignores INT
  # and runs in the background: a Ctrl-C meanwhile goes to the script's trap alone.
  (trap '' INT; wait_until_serving "$port" "$WEB_PID") &
  if wait $!; then
    say "Starting the background worker and scheduler"
    "$PY" -c "$MANAGE_THEN_EXIT" db_worker >"$LINLI_VAR_DIR/worker.log" 2>&1 &
    WORKER_PID=$!
    "$PY" -c "$MANAGE_THEN_EXIT" run_scheduler >"$LINLI_VAR_DIR/scheduler.log" 2>&1 &
    SCHEDULER_PID=$!
    say "Linli is serving the demo district at http://127.0.0.1:$port  (Ctrl-C stops it)"
    say "Logs: $LINLI_VAR_DIR/worker.log, $LINLI_VAR_DIR/scheduler.log"
  fi
  wait "$WEB_PID" || true
  WEB_PID=""
  die "the web server stopped by itself (gunicorn's messages above say why)"
}

# Playwright, pytest and ruff (requirements-dev.txt), and Debian's Chromium that Playwright drives.
cmd_dev_tools() {
  ensure_venv requirements-dev.txt
  ensure_chromium
  say "Development tools are in .venv/bin: pytest, playwright (with /usr/bin/chromium), ruff"
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
  dev-tools) shift; cmd_dev_tools ;;
  *)
    echo "usage: ./linli.sh demo | ./linli.sh test [pytest arguments] | ./linli.sh dev-tools" >&2
    exit 2
    ;;
esac
