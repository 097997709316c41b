"""Django's PostgreSQL backend, except for when a persistent connection is health-checked.

With CONN_HEALTH_CHECKS Django checks a reused connection with a `SELECT 1` at the first
query of every request: on the live view's unchanged poll, one query in all, that doubled
the statements (bench/README.md, "liveview"). Here a connection that served a request
without an error less than `HEALTHY_FOR_S` seconds ago is taken as it is; one idle longer
is checked as Django does. After a database restart, a request on a connection busy until
then can fail once (a 500): the error marks the connection, which Django closes at the end
of that request, and the next one connects anew.
"""

import time

from django.db.backends.postgresql import base

# A connection at work answers many requests a second; an idle one is checked.
HEALTHY_FOR_S = 2.0


class DatabaseWrapper(base.DatabaseWrapper):
    healthy_until = 0.0

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() < self.healthy_until:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at the start and the end of each request: `health_check_done` is set only
        # when the request used the connection (checked or taken as it is).
        used, failed = self.health_check_done, self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if failed or self.connection is None:
            self.healthy_until = 0.0
        elif used:
            self.healthy_until = time.monotonic() + HEALTHY_FOR_S
