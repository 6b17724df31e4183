"""Racing writers in tests: n threads released at once, each with its own database connection."""

import threading

from django.db import connections


def at_once(target, n: int, *, timeout: float = 120) -> list[BaseException]:
    """Run ``target(i)`` for i in 0..n-1 in n threads that start together (a barrier); each closes
    its connections when done. Returns what the threads raised (a thread's exception is otherwise
    lost); fails if a thread is still running after ``timeout`` seconds (a deadlock)."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def body(i):
        try:
            barrier.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=body, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return errors
