"""consult: the money side of a freelance consulting practice, from plain files.

The library is the product; the `consult` command is a thin skin over it. Start with
`consult.books.loader.load_books(path)`.
"""

__version__ = "0.1.0"
