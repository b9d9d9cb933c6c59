"""Bio-page templates: the built-in catalog, who may use which, applying one to a profile."""
