"""The book's interactive demos: pure ``compute``/``draw`` pairs and the factories that wire them.

Each factory is decorated with :func:`dlbook.demo.register`; see :mod:`dlbook.demo`.
"""
