"""`python -m bench.liveview.writer SECONDS EVERY_S`: the caregivers' side during a phase.

After loading what it needs it prints "ready"; then it posts, through the real service
(`day_note_add`, as the group's rostered caregiver), an activity of one group after another
(in a shuffled order), one every EVERY_S / groups seconds, so that each of the 5,000
children gets a new event every EVERY_S seconds (200 groups, 180 s: a group's activity every
0.9 s, 28 children's days a second). Prints one line of JSON: the notes posted, the
children's days bumped, the seconds it ran behind.
"""

import json
import random
import sys
import time

import django


def main(seconds: float, every_s: float) -> dict[str, float]:
    from tuoguan.care.services.liveview import day_note_add
    from tuoguan.enrolment.models import Enrolment
    from tuoguan.orgs.permissions import actor_for
    from tuoguan.programs.models import Group, TermStaff

    groups = list(Group.objects.select_related("term__program__host").order_by("pk"))
    # Not in the order wrk polls the children: which day changes next is the luck of the day.
    random.Random(12).shuffle(groups)
    sizes = {g: Enrolment.objects.filter(group_id=g).count() for g in (x.pk for x in groups)}
    carers = {s.term_id: actor_for(s.user) for s in TermStaff.objects.select_related("user")}
    interval = every_s / len(groups)
    print("ready", flush=True)  # the run starts measuring now: the loading above is not in it
    started = time.monotonic()
    notes = bumped = 0
    behind = 0.0
    while time.monotonic() - started < seconds:
        group = groups[notes % len(groups)]
        day_note_add(
            actor=carers[group.term_id], group=group, kind="activity", text=f"户外活动 {notes}"
        )
        notes += 1
        bumped += sizes[group.pk]
        wait = started + notes * interval - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            behind = max(behind, -wait)
    return {
        "seconds": round(time.monotonic() - started, 1),
        "notes_posted": notes,
        "children_days_bumped": bumped,
        "children_per_second": round(bumped / max(time.monotonic() - started, 0.001), 1),
        "most_behind_s": round(behind, 2),
    }


if __name__ == "__main__":
    django.setup()
    print(json.dumps(main(float(sys.argv[1]), float(sys.argv[2]))))
