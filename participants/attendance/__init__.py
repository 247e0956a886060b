"""Attendance per session: statuses, QR check-in, sign-in sheets, summaries and audit trail."""
