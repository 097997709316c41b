"""The enrolment benchmark of issue 4: a first-come rush and a lottery on PostgreSQL.

`python -m bench.enrol.run` (or `make bench-enrol`) writes bench/results/enrol.json.
"""
