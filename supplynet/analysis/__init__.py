"""The analyses: flows and cuts, centralities, ranking, what-if, plans and the report."""
