"""360° evaluations, ratings and predikat kinerja (PermenPANRB 6/2022)."""
