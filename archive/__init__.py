"""The archive's configuration: settings (base, test, production), urls, wsgi, the site-wide
middleware and sign-in address, and the worker command (`archive_worker`) with its upkeep list.

It may import every app; no app imports it. Features live in the apps (see README's
Architecture).
"""
