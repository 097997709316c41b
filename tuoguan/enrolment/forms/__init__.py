"""Forms of the enrolment pages, one module per area."""
