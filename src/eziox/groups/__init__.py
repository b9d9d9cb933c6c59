"""Link groups: titled headings on the bio page that links can belong to."""
