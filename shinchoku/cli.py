"""The ``shinchoku`` console script: Django's management utility with our settings preselected.

``shinchoku migrate``, ``shinchoku runserver``, ``shinchoku import nakano-progress FILE`` … are all
management commands; this entry point only makes sure they run against shinchoku's settings.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from shinchoku.core.secret import InsecureSecretKey

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings now, so a refusal is one clear line
    except InsecureSecretKey as exc:
        print(f"shinchoku: {exc}", file=sys.stderr)
        sys.exit(2)

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
