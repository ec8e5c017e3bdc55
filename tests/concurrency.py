"""Run calls at the same moment, for the tests that prove two people acting at once cannot both succeed."""

import threading

from django.db import connection
from django.utils import translation


def outcome(call):
    try:
        call()
    except Exception as exc:  # the outcome is what the test compares
        return exc
    return "ok"


def at_once(*calls) -> list:
    """At the same moment from threads on PostgreSQL; one after the other on SQLite (one writer at a time)."""
    if connection.vendor != "postgresql":
        return [outcome(call) for call in calls]
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))
    language = translation.get_language()

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            with translation.override(language):
                results[i] = outcome(call)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def someone_waits_on_a_lock() -> bool:
    """PostgreSQL: another connection of this database is waiting for a row lock (for deterministic interleavings)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # activity is otherwise read once per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
