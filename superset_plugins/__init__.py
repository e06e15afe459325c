"""Everything that touches Superset: dashboards as code, publishing, the server-side plugin."""
