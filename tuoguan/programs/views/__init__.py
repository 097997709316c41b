"""Pages of classes, terms, compliance and standards; one module per area, each with its own
`urlpatterns`, joined in programs/urls.py."""
