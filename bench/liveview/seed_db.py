"""`python -m bench.liveview.seed_db`: seed the database of DATABASE_URL (see seed.py)."""

import json

import django

if __name__ == "__main__":
    django.setup()
    from .seed import main

    print(json.dumps(main()))
