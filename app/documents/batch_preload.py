"""Imported once by the batch pool's fork server (multiprocessing.set_forkserver_preload), never by the
application: the server registers the fonts and prints the warm-up letter, so every worker forked
from it starts warm at once and shares those pages with its siblings until it writes to them. The server is
single-threaded (checked: rendering starts no thread), so forking it is safe. If the warm-up fails here, each
worker runs it again in its initializer, where an error reaches the caller."""
try:
    from app.documents.batch import _warm

    _warm()
except Exception:  # noqa: BLE001 - an exception other than ImportError would stop the fork server itself
    pass
