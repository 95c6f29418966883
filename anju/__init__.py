"""Anju 安居: customer service for a residential developer."""

from anju.celery import app as celery_app

__all__ = ["celery_app"]
