"""What the web server's access log keeps (issue #20 item 6): the path, never the query string or
the referrer, where a searched ID or mobile number would be."""

import datetime
import runpy
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

ROOT = Path(__file__).resolve().parents[2]
ID_NUMBER = "320104198507153818"
MOBILE = "13912345678"


def logged_line(tmp_path, *, query: str, referer: str) -> str:
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": f"/people/?{query}", "PATH_INFO": "/people/",
        "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.8",
        "HTTP_REFERER": referer, "HTTP_USER_AGENT": "Mozilla/5.0",
    }  # fmt: skip
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0.2))
    for handler in logger.access_log.handlers:
        handler.flush()
    return (tmp_path / "access.log").read_text()


def test_the_access_log_keeps_no_query_string_and_no_referrer(tmp_path):
    line = logged_line(
        tmp_path,
        query=f"q={ID_NUMBER}&mobile={MOBILE}",
        referer=f"https://linli.example/people/?q={ID_NUMBER}",
    )
    assert '"GET /people/ HTTP/1.1" 200 512' in line and "10.0.0.8" in line
    assert ID_NUMBER not in line and MOBILE not in line and "q=" not in line


def test_the_demo_server_loads_the_same_settings():
    script = (ROOT / "linli.sh").read_text()
    assert 'runpy.run_path(os.path.join(os.getcwd(), "gunicorn.conf.py"))' in script
    assert "--config" in script and 'cd "$(dirname "$0")"' in script
