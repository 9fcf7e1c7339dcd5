"""The ICEYE Tasking API v2: typed models, errors and the one HTTP client everything else uses."""
