#!/usr/bin/env bash
# Restart gunicorn onto new code without refusing a connection (README, "Deploys").
#
#   scripts/rolling-restart.sh PIDFILE            # code upgrade: USR2, wait for the new master, TERM the old
#   scripts/rolling-restart.sh --hup PIDFILE      # same code, new workers (configuration, memory): HUP
#
# USR2 makes the running master start a new master from the code now on disk, which inherits the
# listening socket and forks its own workers; both sets of workers accept from the one socket while
# the new one starts. Once the new master has all its workers, the old master gets TERM: it stops
# accepting, lets each of its workers finish the request in hand (up to graceful_timeout), and
# exits; the new master then takes over the pid file. Nothing is ever refused: the socket stays
# open throughout. If the new master does not come up (an import error in the new code), the old
# one is left serving and the script fails. (gunicorn ignores WINCH unless daemonized, and QUIT is
# its quick shutdown: TERM is the graceful one.)
#
# Environment: RESTART_WAIT (seconds to wait for the new master, default 60),
# RESTART_SETTLE (seconds the new workers get before the old master is stopped, default 1).
set -euo pipefail

mode=upgrade
if [ "${1:-}" = "--hup" ]; then mode=hup; shift; fi
pidfile=${1:?usage: $0 [--hup] PIDFILE}
wait_for=${RESTART_WAIT:-60}
settle=${RESTART_SETTLE:-1}

children() { cat "/proc/$1/task/$1/children" 2>/dev/null | wc -w; }
# Running, and not a zombie (a supervisor that has not yet collected it).
alive() { local state; state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$state" ] && [ "$state" != Z ]; }
say() { echo "rolling-restart $(date -u +%T.%3N): $*" >&2; }

old=$(cat "$pidfile")
alive "$old" || { say "no gunicorn master with pid $old"; exit 1; }
workers=$(children "$old")

if [ "$mode" = hup ]; then
    # With preload_app the new workers fork from the same master: the same code, fresh processes.
    kill -HUP "$old"
    say "HUP sent to $old; workers are replaced one by one"
    exit 0
fi

kill -USR2 "$old"
deadline=$((SECONDS + wait_for))
new=""
while [ $SECONDS -lt "$deadline" ]; do
    if [ -s "$pidfile.2" ]; then
        new=$(cat "$pidfile.2")
        if alive "$new" && [ "$(children "$new")" -ge "$workers" ]; then break; fi
    fi
    new=""
    sleep 0.1
done
if [ -z "$new" ]; then
    say "the new master did not start within ${wait_for}s; $old keeps serving"
    exit 1
fi
sleep "$settle"
say "new master $new has $(children "$new") workers; stopping $old gracefully"
kill -TERM "$old"
while alive "$old" && [ $SECONDS -lt $((deadline + 60)) ]; do sleep 0.1; done
alive "$old" && { say "old master $old still running"; exit 1; }
say "old master $old has exited"
# The new master renames its pid file once it sees it has been promoted (within a second).
while [ "$(cat "$pidfile" 2>/dev/null)" != "$new" ] && [ $SECONDS -lt $((deadline + 65)) ]; do sleep 0.1; done
say "done: $new serves"
