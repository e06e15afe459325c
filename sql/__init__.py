"""The warehouse schema and views, shipped inside the package as `socialbench.sql`."""
