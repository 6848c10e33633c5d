.PHONY: run serve test ci

# The dev server on 127.0.0.1:8000 (PORT=…) with a Celery worker and beat beside it.
run:
	scripts/run

# Like production, for trials on 127.0.0.1:8000 (PORT=…): gunicorn (portal/gunicorn_conf.py), a Celery
# worker and one beat on PostgreSQL and Redis, under production settings over plain HTTP.
serve:
	scripts/serve

# The whole suite on SQLite (or the DATABASE_URL / CELERY_BROKER_URL in the environment);
# pass pytest arguments with ARGS="-k notices -x".
test:
	scripts/test $(ARGS)

# What CI runs: PostgreSQL and Redis, a fresh portal_ci database, then scripts/test.
ci:
	bash .ci/run
