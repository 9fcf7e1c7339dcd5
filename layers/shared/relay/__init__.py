"""derivatives-relay: copies ICEYE derivative products into S3 and tells subscribers when they are complete."""

__version__ = "0.1.0"
USER_AGENT = f"derivatives-relay/{__version__}"
