"""Results as text, Markdown, JSON, CSV, SVG charts and GIS layers.

One policy per concern, shared by every renderer: :mod:`~supplynet.numbers` (how a
figure is written, for people and for programs), :mod:`~supplynet.render.encode` (the one
JSON encoder), :mod:`~supplynet.render.tables` (text, Markdown and CSV tables) and
:mod:`~supplynet.render.formats` (choosing a writer by format name). Then one module per
result: ``report``, ``whatif``, ``plan`` (with its ``chart``), ``summary``, ``validation``
and ``layers`` (GeoPackage and GeoJSON).
"""
