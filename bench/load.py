"""A bounded load from loopback: a few client processes, each sending GETs one after the other
over keep-alive http.client connections with the bench user's session cookie, for a fixed time.

    rate = load(port, path, cookie, clients=2, seconds=10)

gunicorn's sync workers close the connection after each response; http.client then opens the
next one itself, so the count is the server's, whichever way it answers.
"""

import http.client
import time
from multiprocessing import Pool


def _client(task: tuple[int, str, str, float]) -> tuple[int, int]:
    port, path, cookie, seconds = task
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie, "Connection": "keep-alive"}
    ok = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
    connection.close()
    return ok, errors


def load(port: int, path: str, cookie: str, *, clients: int, seconds: float) -> dict:
    started = time.monotonic()
    with Pool(clients) as pool:
        results = pool.map(_client, [(port, path, cookie, seconds)] * clients)
    elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    return {
        "path": path,
        "requests": ok,
        "errors": errors,
        "seconds": elapsed,
        "per_second": ok / elapsed,
    }
