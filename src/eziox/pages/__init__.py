"""The public page as a cached product: what changes it, how it is read, how it is cached.

`changes` notes every transaction that alters what a bio page or a link redirect shows and
bumps the account's ``page_version`` in that same transaction; `repository` holds the page's
queries; `cache` keeps rendered pages and link targets until their version moves.
"""
