"""Settings of the service-desk benchmark's server: the app's own, plus two minimal views.

Only the URL configuration differs (benchmarks.desk_urls adds /bench/minimal/ and
/bench/noauth/ in front of the app's routes); middleware, database and DEBUG (off unless
DJANGO_DEBUG says otherwise) are the app's.
"""

from anju.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.desk_urls"
