"""Settings of the benchmark (`make bench`): the product's settings, plus the baseline admin.

Everything comes from config.settings and the same environment variables (the bench runs
with DEBUG=0, a SECRET_KEY and HTTPS=0, as a production server on plain HTTP would). Only two
things differ, both needed to serve plain HTTP on loopback from a scratch folder:

- ROOT_URLCONF adds /bench/admin/ (the tuned Django admin the list pages are compared with)
  and /bench/trivial/ (the smallest logged-in page, the throughput's yardstick);
- STATIC_ROOT may point at a scratch folder (BENCH_STATIC_ROOT), where the bench collects the
  static files that DEBUG=0 serves from their manifest, so it never writes into the project.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
