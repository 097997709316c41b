from django.db import migrations, models

# Start each term pool's counter at the highest rank its term has handed out.
FILL = """
UPDATE enrolment_seatpool SET waitlist_seq = COALESCE(
    (SELECT MAX(e.waitlist_rank) FROM enrolment_enrolment e
     WHERE e.term_id = enrolment_seatpool.term_id), 0)
WHERE group_id IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0004_attendance_bar_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="seatpool",
            name="waitlist_seq",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
