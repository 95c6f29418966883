"""`manage.py load_demo`: demo projects, owners, one login per role and a service desk
with work orders (idempotent)."""

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from anju.core.demo import (
    DEFAULT_ORDERS,
    DEFAULT_OWNERS,
    DEFAULT_SEED,
    load_demo,
    render_result,
)


class Command(BaseCommand):
    help = (
        "Load three demo projects with units and owners, one login per role and the "
        "service desk's work orders of the last 60 days. Running it again creates nothing "
        "twice and prints the logins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--owners", type=int, default=DEFAULT_OWNERS, help="number of owner files"
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=DEFAULT_ORDERS,
            help="number of work orders (staged scenes included; 0: none)",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="set the demo password again on demo users whose password was changed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["owners"] < 1:
            raise CommandError("--owners must be at least 1")
        if options["orders"] < 0:
            raise CommandError("--orders cannot be negative")
        result = load_demo(
            seed=options["seed"],
            owners=options["owners"],
            orders=options["orders"],
            reset_passwords=options["reset_passwords"],
        )
        # the address make demo serves (HOST and PORT, as Procfile.demo reads them)
        host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
        self.stdout.write(render_result(result, url=f"http://{host}:{port}"))
