import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
application = get_wsgi_application()


def _warm_and_freeze() -> None:
    """Load every view module now and move everything loaded so far out of the garbage collector's
    reach (gc.freeze): a full collection otherwise rescans Django's hundreds of thousands of
    long-lived objects and added ~50 ms to every ninth page of a 1,000-item plan (bench/pages.py)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's urls and views
    gc.collect()
    gc.freeze()


_warm_and_freeze()
