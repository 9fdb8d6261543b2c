"""Open Badges 3.0: signed, portable credentials and the status lists that revoke them."""
