"""Pure rules for owner records: no ORM, no settings, plain functions."""
