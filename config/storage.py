"""What a failing media storage raises, so code that reports storage failures catches them all:
``OSError`` from the filesystem, and botocore's errors from S3-compatible buckets
(``MEDIA_STORAGE=s3``: a missing bucket, refused access, the store out of reach)."""

try:
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # django-storages[s3] is not installed: only the filesystem is possible
    STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError,)
else:
    STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)
