"""Each dashboard page's whole script under Streamlit's AppTest, as a reader opens it on a
server already running: first with an empty cache (the first visit after any write), then again
with the cache warm."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.database import URL_VARIABLE, project_path

PAGES = ("overview", "deployments", "treaties", "engagements", "pledges", "sources")


def measure(url: str) -> list[dict[str, Any]]:
    """Seconds to run each page's script, cold and warm, on the database at URL."""
    os.environ[URL_VARIABLE] = url
    app_file = Path(project_path("dashboard")) / "app.py"
    # A server already running has imported its modules (a page's own, such as networkx for
    # the Treaties page's network, on its first visit): a visit to every page first,
    # unmeasured, so no page measured pays for the process starting.
    for page in PAGES:
        AppTest.from_file(str(app_file), default_timeout=600).switch_page(f"views/{page}.py").run()
    results = []
    for page in PAGES:
        st.cache_data.clear()
        app = AppTest.from_file(str(app_file), default_timeout=600).switch_page(f"views/{page}.py")
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            app.run()
            timings.append(time.perf_counter() - start)
            if app.exception:
                raise RuntimeError(f"the {page} page failed: {app.exception[0].message}")
        results.append({"page": page, "cold_seconds": timings[0], "warm_seconds": timings[1]})
    return results
