"""Running the web view: open the store and serve the app with uvicorn."""

from __future__ import annotations

import os
from pathlib import Path

import uvicorn

from auditor.store import DATABASE_URL_ENV, Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class StoreMissing(FileNotFoundError):
    """The store folder does not exist (nothing was crawled or run there yet)."""


def open_store(root: Path, db_url: str | None = None) -> Store:
    """The store under ``root``; without a database URL the folder must exist (the view creates none)."""
    if db_url is None and not os.environ.get(DATABASE_URL_ENV) and not root.is_dir():
        raise StoreMissing(f"{root}: 存储目录不存在（先运行 nianbao run --sites FILE --store {root}）")
    return Store.open(root, db_url=db_url)


def serve(root: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          db_url: str | None = None) -> None:
    """Serve the web view of the store under ``root`` until interrupted."""
    from auditor.web.app import create_app

    app = create_app(open_store(root, db_url))
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False, proxy_headers=False)
