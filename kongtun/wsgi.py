"""WSGI entry point. It opens the database once first, so a misconfigured one stops startup."""

import os

from django.core.wsgi import get_wsgi_application
from django.db import connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
application = get_wsgi_application()
connection.ensure_connection()
connection.close()
