"""Competency development: training programs, sessions, enrollments, certificates,
participants' feedback and the yearly JP ledger."""
