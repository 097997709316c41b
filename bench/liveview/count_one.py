"""`python -m bench.liveview.count_one`: the statements of one poll, counted in-process.

A parent's poll through the Django test client on the bench database, with the production
settings: once to learn the ETag (200), once more with it (304). Prints one line of JSON.
"""

import json

import django

if __name__ == "__main__":
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tuoguan.accounts.models import User
    from tuoguan.enrolment.models import Enrolment

    enrolment = Enrolment.objects.select_related("guardian").order_by("pk").first()
    assert enrolment is not None
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true", SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(pk=enrolment.guardian.user_id))
    url = f"/care/family/{enrolment.pk}/"
    with CaptureQueriesContext(connection) as full:
        first = client.get(url)
    with CaptureQueriesContext(connection) as poll:
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    print(
        json.dumps(
            {
                "status_first": first.status_code,
                "status_again": again.status_code,
                "statements_200": len(full),
                "statements_304": len(poll),
                "statements_304_sql": [str(q["sql"])[:160] for q in poll],
            }
        )
    )
