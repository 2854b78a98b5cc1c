"""Staff pages about cases, one module per part of the case page."""
