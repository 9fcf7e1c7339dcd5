"""The relay's use cases and records: no boto3, no Lambda event shapes, time passed in as `now`."""
