"""Business rules of the schedule, plain functions taking a db session; no HTTP here."""
