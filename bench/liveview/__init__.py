"""The live-view benchmark of issue 12: 5,000 parents polling their child's day, on PostgreSQL.

`python -m bench.liveview.run` (or `make bench-liveview`) writes bench/results/liveview.json.
"""
