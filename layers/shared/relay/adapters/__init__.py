"""One adapter per AWS service: the only modules that call boto3."""
