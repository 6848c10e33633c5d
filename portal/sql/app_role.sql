-- The database role the running application connects as: it reads and writes rows and
-- nothing more. It owns no table, so it cannot TRUNCATE, DROP or ALTER one, nor disable the
-- audit table's triggers; it cannot create tables either. Migrations run as the owner.
--
-- Run it as the role that owns the tables (the one that runs migrations), in the portal's
-- database, after setting the role's name and password in two session settings. It can be
-- run again: it creates the role or resets its password and privileges.
--   manage.py grant_app_role does that (docker-compose's migrate service runs it after
--   migrating, with PORTAL_APP_USER and PORTAL_APP_PASSWORD). By hand, with psql:
--     psql -v ON_ERROR_STOP=1 -d portal -v role=portal_app -v password="$PORTAL_APP_PASSWORD" <<'SQL'
--     SELECT set_config('portal.app_role', :'role', false), set_config('portal.app_password', :'password', false);
--     \i portal/sql/app_role.sql
--     SQL
DO $app_role$
DECLARE
    app_role text := current_setting('portal.app_role');
    app_password text := current_setting('portal.app_password');
BEGIN
    IF app_role = '' OR app_password = '' THEN
        RAISE EXCEPTION 'portal.app_role and portal.app_password must be set';
    END IF;
    IF app_role = current_user THEN
        RAISE EXCEPTION 'the application role must not be the owner (%)', current_user;
    END IF;

    IF EXISTS (SELECT FROM pg_roles WHERE rolname = app_role) THEN
        EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', app_role, app_password);
    ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', app_role, app_password);
    END IF;
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', app_role);

    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), app_role);
    -- The schema: use it, create nothing in it (PostgreSQL 15 no longer lets PUBLIC create there;
    -- a database made by an older version still would).
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app_role);
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;

    -- Rows of every table there is, and of every table the owner's later migrations create.
    -- No TRUNCATE, REFERENCES or TRIGGER privilege: exactly these four.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', app_role);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', app_role);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', app_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I',
                   app_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO %I', app_role);
END
$app_role$;
