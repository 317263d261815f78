"""The demos of the seed node (``supervm demo``), one module per demo.

Each demo is a function ``run(log) -> None`` that prints, through ``log``, the lines the seed's
``node-core`` printed for it. Later issues add demos 2-7 beside demo 1.
"""
