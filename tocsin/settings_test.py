"""Settings for the test suite: real databases, cheap key stretching."""

import os
import tempfile

os.environ.setdefault("TOCSIN_SECRET_KEY", "test-only-secret-key-not-for-production")
os.environ.setdefault("TOCSIN_DATA_DIR", tempfile.mkdtemp(prefix="tocsin-test-"))

from tocsin.settings import *  # noqa: F403

# The real Argon2id costs ~0.3 s a login; tests use libsodium's minimum.
KEY_WRAP_OPSLIMIT = 1
KEY_WRAP_MEMLIMIT = 8192
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Alert tests start real worker processes that must see the test database,
# so on SQLite it is a file in this run's data directory, not in memory.
if DATABASES["default"]["ENGINE"] == "tocsin.server.sqlite":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
