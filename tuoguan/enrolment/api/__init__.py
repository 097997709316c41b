"""API of enrolment (DRF), one module per area."""
