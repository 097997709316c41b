"""The check-in benchmark of issue 11: the morning at the door, on PostgreSQL.

`python -m bench.checkin.run` (or `make bench-checkin`) writes bench/results/checkin.json.
"""
