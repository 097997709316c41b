"""API twins of the programs pages under /api/v1/: the same selectors, services and scoping.

Outside the requester's subtree → 404; visible but not theirs to change → 403; bad input →
400 with field errors (services' ValidationErrors go through tuoguan.core.api).
"""
