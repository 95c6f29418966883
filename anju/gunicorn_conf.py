"""gunicorn's settings: `gunicorn -c python:anju.gunicorn_conf anju.wsgi …`.

The access log names the path, never the query string nor the referring page: searches
put what was typed in the URL (an ID number, a phone), and gunicorn writes its access log
through its own handlers, past the redaction of settings.LOGGING.
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
