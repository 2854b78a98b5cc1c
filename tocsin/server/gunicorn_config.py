"""Gunicorn's settings for `tocsin serve`.

Named explicitly on the command line so that gunicorn never reads a
``gunicorn.conf.py`` from the working directory instead: one left there could
switch on the access log, which writes every visitor's address and user agent
(DESIGN.md, threat model: no IP address or user agent is ever logged)."""

accesslog = None


def post_worker_init(worker: object) -> None:
    """Each web worker loads (or builds) screening's name index before its
    first request, so no enforcement desk waits for it (issue 5)."""
    from tocsin.screening.index import warm_worker

    warm_worker()
