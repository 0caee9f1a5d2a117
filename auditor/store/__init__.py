"""The shared store: what was crawled (captures, documents, versions) and what the audits found (runs,
reports, findings), for the CLI, the scheduled service and the web view.

Open it with :meth:`Store.open`; write runs with :mod:`auditor.store.runs`; read it with
:mod:`auditor.store.queries`, the one typed read API of the web view and of the commands.
"""

from auditor.store.blobs import BlobStore
from auditor.store.db import DATABASE_URL_ENV, DEFAULT_STORE_DIR, Store

__all__ = ["DATABASE_URL_ENV", "DEFAULT_STORE_DIR", "BlobStore", "Store"]
