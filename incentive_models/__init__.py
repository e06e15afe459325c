"""The settlement engine for positive provider incentives."""
