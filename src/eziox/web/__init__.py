"""Server-rendered pages: the public bio page and redirects (public/), sign-up and sign-in
(auth.py), the dashboard (dashboard/), template previews and the API docs."""
