"""Progress reports (realisasi), verification, achievement, feedback, live and public streams."""
