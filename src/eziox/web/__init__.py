"""Server-rendered pages: the public bio page, link redirects, and the 404 page."""
