"""`python -m bench.liveview.writer SECONDS EVERY_S`: the caregivers' side during a phase.

Each second it posts, through the real service (`day_note_add`, as the group's rostered
caregiver), a short note tagged to the next children in turn, so that each of the 5,000
children gets a new event every EVERY_S seconds (about 28 a second for 180 s). Prints one
line of JSON: the notes posted, the children's days bumped, the seconds it ran behind.
"""

import json
import math
import sys
import time
from collections import defaultdict

import django


def main(seconds: float, every_s: float) -> dict[str, float]:
    from django.utils import timezone

    from tuoguan.care.services.liveview import day_note_add
    from tuoguan.enrolment.models import Enrolment
    from tuoguan.orgs.permissions import actor_for
    from tuoguan.programs.models import Group, TermStaff

    enrolments = list(Enrolment.objects.only("pk", "group_id", "status").order_by("pk"))
    groups = {g.pk: g for g in Group.objects.select_related("term__program__host")}
    carers = {s.term_id: actor_for(s.user) for s in TermStaff.objects.select_related("user")}
    per_tick = max(1, math.ceil(len(enrolments) / every_s))
    started = time.monotonic()
    notes = bumped = 0
    behind = 0.0
    position = 0
    tick = 0
    while time.monotonic() - started < seconds:
        batch = [enrolments[(position + i) % len(enrolments)] for i in range(per_tick)]
        position += per_tick
        by_group = defaultdict(list)
        for enrolment in batch:
            by_group[enrolment.group_id].append(enrolment)
        now = timezone.now()
        for group_id, children in by_group.items():
            group = groups[group_id]
            day_note_add(
                actor=carers[group.term_id],
                group=group,
                kind="note",
                text=f"午睡很好 {tick}",
                children=children,
                now=now,
            )
            notes += 1
            bumped += len(children)
        tick += 1
        wait = started + tick - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            behind -= wait
    return {
        "seconds": round(time.monotonic() - started, 1),
        "notes_posted": notes,
        "children_days_bumped": bumped,
        "children_per_second": per_tick,
        "behind_s": round(behind, 2),
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(main(float(sys.argv[1]), float(sys.argv[2]))))
