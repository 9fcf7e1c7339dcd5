"""Runs derivatives-relay locally: moto's server for AWS, the ICEYE simulator, the real handlers in-process."""
