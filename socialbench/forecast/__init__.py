"""Budget follow-up and year-end forecast (docs/forecast.md): the shipped refusion tiers,
the forecast tables fc_* and the `socialbench forecast` command."""
