"""`manage.py load_demo`: the demo projects, owners and one login per role (idempotent)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from anju.core.demo import DEFAULT_OWNERS, DEFAULT_SEED, load_demo, render_result


class Command(BaseCommand):
    help = (
        "Load three demo projects with units and owners, and one login per role. "
        "Running it again creates nothing twice and prints the logins."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--owners", type=int, default=DEFAULT_OWNERS, help="number of owner files"
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="set the demo password again on demo users whose password was changed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["owners"] < 1:
            raise CommandError("--owners must be at least 1")
        result = load_demo(
            seed=options["seed"],
            owners=options["owners"],
            reset_passwords=options["reset_passwords"],
        )
        self.stdout.write(render_result(result))
