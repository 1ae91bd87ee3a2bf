"""Results as text, Markdown, JSON, CSV, SVG charts and GIS layers."""
