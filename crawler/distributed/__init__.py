"""National scale: site runs as tasks of a Dramatiq broker on Redis, workers on any number of machines,
the store on PostgreSQL.

- :mod:`~crawler.distributed.config`: where the broker and the store are (URLs).
- :mod:`~crawler.distributed.throttle`: per-host politeness shared by every worker, in Redis.
- :mod:`~crawler.distributed.tasks`: the site task (one site's crawl and audit), idempotent and retried.
- :mod:`~crawler.distributed.coordinator`: opening runs, enqueuing their sites, collecting the results.
- :mod:`~crawler.distributed.worker`: the entry of ``nianbao worker`` (Dramatiq's worker command).
"""
