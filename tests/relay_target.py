"""A module the parent process has not imported when a limited child relays to it (tests/test_upload_limits.py)."""
SEEN = []


def remember(*args):
    SEEN.append(args)
