"""The project's task engine: Celery.

Embedded mode uses kombu's filesystem transport under var/, so `make demo` runs a worker
next to the web server without a broker to install. At scale ANJU_BROKER_URL points at
Redis or RabbitMQ and workers run as separate processes.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings")

app = Celery("anju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
