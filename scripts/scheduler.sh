#!/bin/sh
# The scheduler of the container deployment (compose.yaml); a host with cron can use
# scripts/crontab.example instead. Every SCHEDULER_INTERVAL seconds (default 300) it runs the
# frequent jobs, and once a day after 01:00 UTC (08:00 WIB) the daily ones. Every job takes a
# database lock (bebeli/locks.py), so several schedulers on several hosts never overlap.
set -u
interval=${SCHEDULER_INTERVAL:-300}
last_daily=""
trap 'exit 0' TERM INT

run() {
    flask "$@" || echo "scheduler: flask $* failed" >&2
}

while :; do
    run expire-orders
    run autocomplete-orders
    run complaints-deadlines
    run send-mail
    today=$(date -u +%F)
    if [ "$today" != "$last_daily" ] && [ "$(date -u +%H)" -ge 1 ]; then
        run quota-reminders
        run notify-expired-certificates
        run quota-freeze
        run payouts create
        last_daily=$today
    fi
    sleep "$interval" &
    wait $!
done
