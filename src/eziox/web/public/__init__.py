"""The public side: bio pages, link redirects, QR codes and follow buttons."""

from eziox.web.public.fast import PublicPages
from eziox.web.public.routes import router

__all__ = ["PublicPages", "router"]
