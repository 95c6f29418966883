"""The web server's access log never holds what a search typed (an ID number, a phone)."""

import datetime as dt
import importlib
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

ID_NUMBER, PHONE = "110101199003077777", "13800138000"


def test_the_access_log_line_names_the_path_without_the_query_or_the_referrer():
    # given gunicorn configured as the demo and the deployment run it
    conf = importlib.import_module("anju.gunicorn_conf")
    config = Config()
    config.set("access_log_format", conf.access_log_format)
    logger = Logger(config)
    # when the owner search is asked for by ID number, from a page searched by phone
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/desk/new/owners/?owner_q={ID_NUMBER}",
        "PATH_INFO": "/desk/new/owners/",
        "QUERY_STRING": f"owner_q={ID_NUMBER}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"http://127.0.0.1:8000/owners/?q={PHONE}",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="200 OK", sent=512, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(0, 0, 1500))
    line = conf.access_log_format % atoms
    # then the line says what was asked for, and nothing of what was typed
    assert '"GET /desk/new/owners/ HTTP/1.1" 200 512' in line
    assert ID_NUMBER not in line and PHONE not in line


def test_the_demo_serves_with_that_configuration():
    procfile = Path(settings.BASE_DIR, "Procfile.demo").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "-c python:anju.gunicorn_conf" in web
    assert "--access-logfile" not in web  # the config decides
