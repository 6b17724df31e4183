"""gunicorn settings every Linli web server uses (gunicorn reads ./gunicorn.conf.py by itself when
started from the project folder, as the README's deploy command is; the demo loads it too).

The access log keeps the path and drops the query string and the referrer: a query can carry a
searched ID or mobile number, and logs are not where personal data may go (issue #20 item 6)."""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
