"""Production settings with the benchmark's reference views added (bench/bare.py).

bench/http_load.py starts gunicorn with this module and `bench/` on the Python path; everything
else is portal/settings/production.py as deployed, with its values from the environment.
"""
from portal.settings.production import *  # noqa: F401,F403

ROOT_URLCONF = "bare"
